/**
 * Read-only BundleFiles over HTTP: a capture bundle folder served as static files
 * (e.g. /samples/living_room/). Paths are validated with the same rules as every other BundleFiles
 * so a capture.json cannot point outside its folder.
 *
 * The bundle reader asks exists() and then readFile() for most files; exists() therefore does the
 * GET itself and keeps the bytes for the readFile() that follows (one request per file instead of a
 * HEAD plus a GET). Only the last few prefetched files are kept.
 */
import type { BundleFiles } from '../capture/bundle-files';
import { normalizeBundlePath } from '../capture/bundle-files';

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

const PREFETCH_KEEP = 8;

/** `baseUrl` is the bundle folder, absolute or page-relative; a trailing '/' is added if missing. */
export function httpFiles(baseUrl: string, fetchFn: FetchFn = (i, init) => fetch(i, init)): BundleFiles {
  if (typeof baseUrl !== 'string' || baseUrl.length === 0) throw new Error('httpFiles: baseUrl must be a non-empty string');
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const urlOf = (p: string) => base + p.split('/').map(encodeURIComponent).join('/');
  const prefetched = new Map<string, Promise<Uint8Array | null>>();

  const get = async (p: string): Promise<Uint8Array | null> => {
    const res = await fetchFn(urlOf(p));
    if (res.status === 404 || res.status === 410) return null;
    if (!res.ok) throw new Error(`bundle file ${p}: HTTP ${res.status} from ${urlOf(p)}`);
    return new Uint8Array(await res.arrayBuffer());
  };

  return {
    async readFile(path) {
      const p = normalizeBundlePath(path);
      const pending = prefetched.get(p);
      prefetched.delete(p);
      const data = await (pending ?? get(p));
      if (!data) throw new Error(`file not found in bundle: ${p} (HTTP 404 for ${urlOf(p)})`);
      return data;
    },
    async writeFile(path) {
      throw new Error(`HTTP bundles are read-only (writeFile ${path})`);
    },
    async exists(path) {
      const p = normalizeBundlePath(path);
      let pending = prefetched.get(p);
      if (!pending) {
        pending = get(p);
        prefetched.set(p, pending);
        while (prefetched.size > PREFETCH_KEEP) prefetched.delete(prefetched.keys().next().value!);
      }
      return (await pending) !== null;
    },
  };
}
