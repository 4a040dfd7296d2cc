/**
 * importCapture over the ways a browser hands files over: a plain multi-file pick (names only, no
 * folders), a folder pick (webkitRelativePath), and a zip; on the real fox and redkitchen captures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryFiles, pickedFiles, toZip, zipFiles, type PickedFile } from '../../../lib/capture/bundle-files';
import { loadFrame } from '../../../lib/capture/frame-record';
import { detectCaptureFormat, describeSkipped, importCapture } from '../../../lib/capture/import-capture';
import { REDKITCHEN } from './rgbd-helpers';

const FOX = fileURLToPath(new URL('../../../../shared/data/fox', import.meta.url));

/** Files as an <input type=file> gives them: lazily read, named, with a relative path only for folder picks. */
function pick(dir: string, rels: string[], folder?: string): PickedFile[] {
  return rels.map((rel) => ({
    name: rel.slice(rel.lastIndexOf('/') + 1),
    webkitRelativePath: folder ? `${folder}/${rel}` : '',
    arrayBuffer: async () => {
      const b = readFileSync(join(dir, rel));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  }));
}

const foxFiles = () => ['transforms.json', ...readdirSync(join(FOX, 'images')).map((n) => `images/${n}`)];

describe('importCapture on picked files', () => {
  it('finds the fox images by file name when the pick carries no folders, and reports the missing ones', async () => {
    const files = pickedFiles(pick(FOX, foxFiles()));
    expect(files.folderName).toBe('');
    expect(await files.exists('images/0001.jpg')).toBe(true);
    const imp = await importCapture(files, { name: 'picked files' });
    expect(imp.format).toBe('transforms.json');
    expect(imp.listed).toBe(67);
    expect(imp.frames).toHaveLength(50);
    expect(imp.skipped).toHaveLength(17);
    for (const s of imp.skipped) expect(s.reason).toMatch(/^image file images\/\d+\.jpg is missing$/);
    expect(describeSkipped(imp.skipped)).toMatch(/^17 skipped \(\d+: image file images\/\d+\.jpg is missing; .*; and 14 more\)$/);
    const f = await loadFrame(imp.frames[0], { scale: 0.125 });
    expect([f.image.width, f.image.height]).toEqual([135, 240]);
  });

  it('reads a folder pick (webkitdirectory) with its top folder stripped', async () => {
    const files = pickedFiles(pick(FOX, foxFiles(), 'fox'));
    expect(files.folderName).toBe('fox');
    const imp = await importCapture(files, { name: files.folderName });
    expect(imp.frames).toHaveLength(50);
    expect(imp.name).toBe('fox');
  });

  it('reads redkitchen picked as a folder, as loose files and as a zip: the 7-Scenes layout', async () => {
    const rels = readdirSync(REDKITCHEN).filter((n) => n.startsWith('frame-00015') || n === 'camera-intrinsics.txt');
    for (const files of [pickedFiles(pick(REDKITCHEN, rels, 'redkitchen')), pickedFiles(pick(REDKITCHEN, rels))]) {
      expect(await detectCaptureFormat(files)).toBe('7-scenes');
      const imp = await importCapture(files, { name: 'redkitchen' });
      expect(imp.frames.map((r) => r.id)).toEqual([...Array(10).keys()].map((k) => `frame-00015${k}`));
      expect((await loadFrame(imp.frames[0])).depth!.intrinsics.fx).toBe(585);
    }
    const mem = memoryFiles();
    for (const r of rels.slice(0, 7)) await mem.writeFile(`redkitchen/${r}`, new Uint8Array(readFileSync(join(REDKITCHEN, r))));
    const z = await importCapture(zipFiles(toZip(mem)));
    expect(z.format).toBe('7-scenes');
    expect(z.frames.map((r) => r.id)).toEqual(['frame-000150', 'frame-000151']);
  });

  it('says what it can read when nothing matches, and refuses two picked files of one path', async () => {
    const a: PickedFile = { name: 'x.png', webkitRelativePath: '', arrayBuffer: async () => new ArrayBuffer(1) };
    const files = pickedFiles([a, { ...a, name: 'y.png' }]);
    expect(await files.exists('rgb/x.png')).toBe(true);
    expect(await files.exists('rgb/z.png')).toBe(false);
    await expect(importCapture(files)).rejects.toThrow(/no capture found: expected capture.json, transforms.json, 7-Scenes .* TUM .*; found x.png, y.png/);
    // A folder pick matches paths exactly: no guessing by name across folders.
    const folder = pickedFiles([{ ...a, webkitRelativePath: 'cap/rgb/x.png' }, { ...a, name: 'y.png', webkitRelativePath: 'cap/y.png' }]);
    expect(await folder.exists('rgb/x.png')).toBe(true);
    expect(await folder.exists('depth/x.png')).toBe(false);
    expect(() => pickedFiles([a, a])).toThrow(/two picked files map to the same path x.png/);
  });
});
