import { describe, expect, it } from 'vitest';
import { httpFiles } from '../../../lib/web/http-files';

function fakeServer(files: Record<string, string>) {
  const calls: string[] = [];
  const fetchFn = async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    const path = url.replace('http://h/b/', '');
    const body = files[decodeURIComponent(path)];
    return body === undefined ? new Response('nope', { status: 404 }) : new Response(body, { status: 200 });
  };
  return { calls, fetchFn };
}

describe('httpFiles', () => {
  it('reads files relative to the folder URL', async () => {
    const s = fakeServer({ 'capture.json': '{"a":1}', 'images/f 0.png': 'PNG' });
    const files = httpFiles('http://h/b', s.fetchFn);
    expect(new TextDecoder().decode(await files.readFile('capture.json'))).toBe('{"a":1}');
    expect(new TextDecoder().decode(await files.readFile('./images/f 0.png'))).toBe('PNG');
    expect(s.calls).toEqual(['GET http://h/b/capture.json', 'GET http://h/b/images/f%200.png']);
  });

  it('exists() fetches once and the following readFile() reuses the bytes', async () => {
    const s = fakeServer({ 'depth/f0.png': 'D' });
    const files = httpFiles('http://h/b/', s.fetchFn);
    expect(await files.exists('depth/f0.png')).toBe(true);
    expect(new TextDecoder().decode(await files.readFile('depth/f0.png'))).toBe('D');
    expect(s.calls).toHaveLength(1);
    // Consumed: a second read fetches again.
    await files.readFile('depth/f0.png');
    expect(s.calls).toHaveLength(2);
  });

  it('reports missing files as absent and as a named error', async () => {
    const s = fakeServer({});
    const files = httpFiles('http://h/b/', s.fetchFn);
    expect(await files.exists('depth/x.conf.png')).toBe(false);
    await expect(files.readFile('depth/x.conf.png')).rejects.toThrow(/depth\/x\.conf\.png/);
  });

  it('refuses paths that escape the bundle, and writes', async () => {
    const s = fakeServer({});
    const files = httpFiles('http://h/b/', s.fetchFn);
    await expect(files.readFile('../secret')).rejects.toThrow(/escapes/);
    await expect(files.exists('/etc/passwd')).rejects.toThrow(/relative/);
    await expect(files.writeFile('a', new Uint8Array(1))).rejects.toThrow(/read-only/);
    expect(s.calls).toEqual([]);
  });

  it('turns server errors into errors, not into "missing"', async () => {
    const files = httpFiles('http://h/b/', async () => new Response('x', { status: 500 }));
    await expect(files.exists('capture.json')).rejects.toThrow(/HTTP 500/);
  });
});
