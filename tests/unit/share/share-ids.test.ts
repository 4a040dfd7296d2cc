import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { CODE_ALPHABET, CODE_RE, hashToken, isSceneId, isToken, newCode, newSceneId, newToken, normaliseCode, tokenMatches } from '../../../lib/share/share-ids';
import { readFile, readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { checkDeclaredLength, parseContentLength } from '../../../lib/share/bounded-body';
import { spoolFileName, spoolUpload } from '../../../lib/share/upload-spool';
import { DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_TTL_MS, checkShareConfig, shareConfigFromEnv } from '../../../lib/share/share-config';
import { chunkedStream, tempDir } from './share-fixtures';

describe('share ids', () => {
  it('codes use 32 unambiguous characters, all of them reachable', () => {
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    for (const ch of '0O1I') expect(CODE_ALPHABET).not.toContain(ch);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const c = newCode();
      expect(c).toMatch(CODE_RE);
      for (const ch of c) seen.add(ch);
    }
    expect(seen.size).toBe(32);
  });

  it('normalises typed codes by case only and rejects everything else', () => {
    expect(normaliseCode('abc234')).toBe('ABC234');
    for (const bad of ['ABC23O', 'ABC231', 'ABCDE', 'ABCDEFG', '../../', '%2e%2e', 'AB\0CDE', 'ABC 23', ' ABC23', 'ÀBC234', 42, null, undefined])
      expect(normaliseCode(bad as string), String(bad)).toBeNull();
  });

  it('tokens are 256-bit base64url; only a matching token matches its hash', () => {
    const a = newToken();
    const b = newToken();
    expect(isToken(a)).toBe(true);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(tokenMatches(a, hashToken(a))).toBe(true);
    expect(tokenMatches(b, hashToken(a))).toBe(false);
    expect(tokenMatches(a, hashToken(a).subarray(0, 31))).toBe(false);
    expect(isToken(a + '=')).toBe(false);
    expect(isToken(a.slice(1))).toBe(false);
    expect(isToken(a.slice(1) + '/')).toBe(false);
  });

  it('scene ids are 32 lowercase hex characters', () => {
    const id = newSceneId();
    expect(isSceneId(id)).toBe(true);
    expect(isSceneId(id.toUpperCase())).toBe(false);
    expect(isSceneId(`${id.slice(0, 31)}/`)).toBe(false);
    expect(isSceneId('..')).toBe(false);
  });
});

describe('body limits', () => {
  it('parses Content-Length strictly', () => {
    expect(parseContentLength(null)).toBeNull();
    expect(parseContentLength('1234')).toBe(1234);
    for (const bad of ['1e3', '-1', '0x10', '', '12,13', '99999999999999999999'])
      expect(() => parseContentLength(bad), bad).toThrow(/Content-Length/);
    expect(() => checkDeclaredLength(11, 10)).toThrow(/limit is 10 bytes/);
    expect(() => checkDeclaredLength(10, 10)).not.toThrow();
  });

  it('spools a chunked body exactly (size and SHA-256) and refuses one byte over the limit, leaving no file', async () => {
    const t = await tempDir();
    try {
      const bytes = new Uint8Array(10_000).map((_, i) => i * 31);
      const s = await spoolUpload(chunkedStream(bytes, 333), spoolFileName(t.dir), 10_000);
      expect(new Uint8Array(await readFile(s.file))).toEqual(bytes);
      expect(s.size).toBe(10_000);
      expect(s.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      await s.discard();
      await expect(spoolUpload(chunkedStream(bytes, 333), spoolFileName(t.dir), 9_999)).rejects.toMatchObject({ status: 413 });
      await expect(spoolUpload(bytes, spoolFileName(t.dir), 9_999)).rejects.toMatchObject({ status: 413 });
      expect(await readdir(t.dir)).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });
});

describe('share config', () => {
  it('defaults to <project>/data/share, 200 MiB, 7 days', () => {
    const c = shareConfigFromEnv({}, '/srv/app');
    expect(c.dataDir).toBe(path.join('/srv/app', 'data', 'share'));
    expect(c.maxUploadBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    expect(c.ttlMs).toBe(DEFAULT_TTL_MS);
    expect(() => checkShareConfig(c)).not.toThrow();
  });

  it('reads the environment and names a bad variable', () => {
    const c = shareConfigFromEnv({ SEGSPLAT_DATA_DIR: 'var/share', SEGSPLAT_SHARE_MAX_BYTES: '1048576', SEGSPLAT_SHARE_TTL_SECONDS: '3600' }, '/srv/app');
    expect(c.dataDir).toBe('/srv/app/var/share');
    expect(c.maxUploadBytes).toBe(1 << 20);
    expect(c.ttlMs).toBe(3600_000);
    expect(shareConfigFromEnv({ SEGSPLAT_DATA_DIR: '/data/x' }, '/srv/app').dataDir).toBe('/data/x');
    expect(() => shareConfigFromEnv({ SEGSPLAT_SHARE_MAX_BYTES: '200MB' })).toThrow(/SEGSPLAT_SHARE_MAX_BYTES/);
    expect(() => shareConfigFromEnv({ SEGSPLAT_SHARE_TTL_SECONDS: '0' })).toThrow(/SEGSPLAT_SHARE_TTL_SECONDS/);
    expect(() => shareConfigFromEnv({ SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS: '-2' })).toThrow(/SEGSPLAT_SHARE_MAX_CONCURRENT_UPLOADS/);
  });
});
