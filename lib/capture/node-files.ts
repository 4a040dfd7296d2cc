/**
 * BundleFiles over a folder on disk. Node only (node:fs): never import this from browser code;
 * the browser builds a BundleFiles from picked files or a zip instead (bundle-files.ts).
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { normalizeBundlePath, type BundleFiles } from './bundle-files';

export function nodeFolderFiles(dir: string): BundleFiles {
  const root = resolve(dir);
  // normalizeBundlePath already rejects '..' and absolute paths; the prefix check is a second guard
  // in case a future normalisation rule misses something.
  const full = (path: string): string => {
    const p = resolve(root, normalizeBundlePath(path));
    if (p !== root && !p.startsWith(root + sep)) throw new Error(`bundle path escapes ${root}: ${path}`);
    return p;
  };
  return {
    async readFile(path) {
      const p = full(path);
      try {
        const buf = await readFile(p);
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`file not found in bundle: ${path} (${p})`);
        throw e;
      }
    },
    async writeFile(path, data) {
      const p = full(path);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, data);
    },
    async exists(path) {
      const p = full(path);
      try {
        return (await stat(p)).isFile();
      } catch {
        return false;
      }
    },
    async list(dir = '') {
      const d = dir ? normalizeBundlePath(dir) : '';
      const entries = await readdir(d ? full(d) : root, { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() || e.isSymbolicLink())
        .map((e) => (d ? `${d}/${e.name}` : e.name))
        .sort();
    },
  };
}
