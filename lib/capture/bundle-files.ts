/**
 * A tiny file-system abstraction for capture bundles, so the same reader/writer runs on a Node
 * folder (node-files.ts), on files the user picked in the browser, on a .zip, or in memory.
 * Paths are always '/'-separated and relative to the bundle root.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';

export interface BundleFiles {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  exists(path: string): Promise<boolean>;
  /**
   * Bundle paths of the files directly inside `dir` ('' = the root), sorted. Layouts that name
   * frames by pattern (7-Scenes `frame-000150.color.png`) need it; a source that cannot list
   * (HTTP) leaves it out and those layouts say so.
   */
  list?(dir?: string): Promise<string[]>;
}

/** The files of `paths` directly inside `dir`, sorted (shared by the in-memory listings). */
export function filesIn(paths: Iterable<string>, dir = ''): string[] {
  const prefix = dir ? `${normalizeBundlePath(dir)}/` : '';
  const out: string[] = [];
  for (const p of paths) if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.push(p);
  return out.sort();
}

/**
 * Normalises a bundle-relative path ('./a//b' -> 'a/b') and rejects anything that could escape the
 * bundle root (absolute paths, '..', drive letters, backslashes, NUL), because paths come from
 * untrusted capture.json / transforms.json files.
 */
export function normalizeBundlePath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new Error('bundle path must be a non-empty string');
  if (path.includes('\0')) throw new Error(`bundle path contains a NUL byte: ${JSON.stringify(path)}`);
  if (path.includes('\\')) throw new Error(`bundle path must use '/' separators: ${JSON.stringify(path)}`);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path))
    throw new Error(`bundle path must be relative to the bundle root: ${JSON.stringify(path)}`);
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new Error(`bundle path escapes the bundle root: ${JSON.stringify(path)}`);
    parts.push(part);
  }
  if (parts.length === 0) throw new Error(`bundle path names no file: ${JSON.stringify(path)}`);
  return parts.join('/');
}

/** Joins a directory (possibly '') and a relative path, then normalises. */
export function joinBundlePath(dir: string, rel: string): string {
  return normalizeBundlePath(dir ? `${dir}/${rel}` : rel);
}

/** Directory part of a bundle path ('' for a file at the root). */
export function bundleDirname(path: string): string {
  const p = normalizeBundlePath(path);
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** In-memory bundle; `entries()` exposes the map (keys are normalised paths). */
export function memoryFiles(init?: Record<string, Uint8Array>): BundleFiles & { entries(): Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  if (init) for (const [k, v] of Object.entries(init)) map.set(normalizeBundlePath(k), v);
  return {
    async readFile(path) {
      const p = normalizeBundlePath(path);
      const data = map.get(p);
      if (!data) throw new Error(`file not found in bundle: ${p}`);
      return data;
    },
    async writeFile(path, data) {
      if (!(data instanceof Uint8Array)) throw new Error(`writeFile(${path}): data must be a Uint8Array`);
      map.set(normalizeBundlePath(path), data);
    },
    async exists(path) {
      return map.has(normalizeBundlePath(path));
    },
    async list(dir) {
      return filesIn(map.keys(), dir);
    },
    entries: () => map,
  };
}

/**
 * Read-only view of a zip archive. A zip made by zipping the bundle folder itself (every entry under
 * one top-level folder, e.g. 'kitchen/capture.json') is accepted too: that common prefix is stripped.
 */
export function zipFiles(zipBytes: Uint8Array): BundleFiles {
  let raw: Record<string, Uint8Array>;
  try {
    raw = unzipSync(zipBytes);
  } catch (e) {
    throw new Error(`not a readable zip archive: ${(e as Error).message}`);
  }
  const map = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(raw)) {
    if (name.endsWith('/')) continue; // directory entry
    if (name.startsWith('__MACOSX/')) continue; // Finder's resource forks
    map.set(normalizeBundlePath(name), data);
  }
  // Every layout keeps its index file at the root, so one top folder holding everything is the
  // capture folder itself, zipped.
  const prefix = commonTopFolder([...map.keys()]);
  const strip = prefix !== '';
  const files = new Map<string, Uint8Array>();
  for (const [k, v] of map) files.set(strip ? k.slice(prefix.length + 1) : k, v);
  return {
    async readFile(path) {
      const p = normalizeBundlePath(path);
      const data = files.get(p);
      if (!data) throw new Error(`file not found in zip: ${p}`);
      return data;
    },
    async writeFile(path) {
      throw new Error(`zip bundles are read-only (writeFile ${path}); write to memoryFiles() and call toZip()`);
    },
    async exists(path) {
      return files.has(normalizeBundlePath(path));
    },
    async list(dir) {
      return filesIn(files.keys(), dir);
    },
  };
}

function commonTopFolder(paths: string[]): string {
  if (paths.length === 0) return '';
  const first = paths[0].split('/')[0];
  if (!paths.every((p) => p.startsWith(`${first}/`))) return '';
  return first;
}

/** DOS epoch: zip entries carry this fixed time so the archive bytes never depend on the clock or time zone. */
const FIXED_ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

/**
 * Deterministic zip of in-memory files: entries sorted by path, fixed timestamps and attributes,
 * already-compressed formats (PNG/JPEG) stored, everything else deflated at level 6.
 */
export function toZip(files: { entries(): Map<string, Uint8Array> } | Map<string, Uint8Array> | Record<string, Uint8Array>): Uint8Array {
  const source: Map<string, Uint8Array> =
    files instanceof Map
      ? files
      : typeof (files as { entries?: unknown }).entries === 'function'
        ? (files as { entries(): Map<string, Uint8Array> }).entries()
        : new Map(Object.entries(files as Record<string, Uint8Array>));
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of source) {
    const p = normalizeBundlePath(k);
    if (map.has(p)) throw new Error(`toZip: two entries normalise to the same path ${p}`);
    if (!(v instanceof Uint8Array)) throw new Error(`toZip: ${p} is not a Uint8Array`);
    map.set(p, v);
  }
  const zippable: Zippable = {};
  for (const path of [...map.keys()].sort()) {
    const data = map.get(path)!;
    const stored = /\.(png|jpe?g)$/i.test(path);
    zippable[path] = [data, { level: stored ? 0 : 6, mtime: FIXED_ZIP_TIME, os: 0, attrs: 0 }];
  }
  return zipSync(zippable, { mtime: FIXED_ZIP_TIME, os: 0, attrs: 0 });
}

/** What a browser File (from <input type=file>, drag and drop) offers; structural, so no DOM types here. */
export interface PickedFile {
  name: string;
  /** Set when a folder was picked (<input webkitdirectory>): 'fox/images/0001.jpg'. */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Read-only BundleFiles over files the user picked. Files are read lazily (a capture can be
 * hundreds of MB). When a whole folder was picked, its top folder name is stripped, so
 * 'fox/transforms.json' is found as 'transforms.json'.
 *
 * A plain multi-file pick carries no folders at all, yet transforms.json says `images/0001.jpg`
 * and TUM's rgb.txt `rgb/1305031102.175304.png`: in such a pick a path that is not found is
 * matched by its file name, when exactly one picked file has that name.
 */
export function pickedFiles(list: Iterable<PickedFile>): BundleFiles & { folderName: string } {
  const all = [...list];
  const rel = all.map((f) => (f.webkitRelativePath ? f.webkitRelativePath : f.name));
  const flat = all.every((f) => !f.webkitRelativePath);
  const prefix = flat ? '' : commonTopFolder(rel);
  const map = new Map<string, PickedFile>();
  all.forEach((f, i) => {
    const p = normalizeBundlePath(prefix ? rel[i].slice(prefix.length + 1) : rel[i]);
    if (map.has(p)) throw new Error(`two picked files map to the same path ${p}`);
    map.set(p, f);
  });
  const byName = new Map<string, PickedFile | null>(); // null: two picked files share the name
  for (const [p, f] of map) {
    const name = p.slice(p.lastIndexOf('/') + 1);
    byName.set(name, byName.has(name) ? null : f);
  }
  const find = (path: string): PickedFile | undefined | null => {
    const p = normalizeBundlePath(path);
    const f = map.get(p);
    if (f || !flat) return f;
    return byName.get(p.slice(p.lastIndexOf('/') + 1));
  };
  return {
    folderName: prefix,
    async readFile(path) {
      const f = find(path);
      if (f === null) throw new Error(`${path}: several picked files are named ${path.slice(path.lastIndexOf('/') + 1)}; pick the folder instead`);
      if (!f) throw new Error(`file not found among the picked files: ${normalizeBundlePath(path)}`);
      return new Uint8Array(await f.arrayBuffer());
    },
    async writeFile(path) {
      throw new Error(`picked files are read-only (writeFile ${path})`);
    },
    async exists(path) {
      return !!find(path);
    },
    async list(dir) {
      return filesIn(map.keys(), dir);
    },
  };
}
