/**
 * Node model source for scripts and tests: files fetched by `npm run models:fetch` under
 * <dir>/<model id>/<file name>, or bundled files (FastDepth) at their bundledPath under the project root.
 * Node-only (dynamic node:fs import); the browser uses ./model-cache.
 */
import type { ProgressCallback } from '../runtime/model-session';
import type { ModelEntry, ModelFile } from './manifest';
import type { ModelSource } from './model-source';
import { ModelUnavailableError, verifyModelFile } from './model-source';

export interface DirectoryModelSourceOptions {
  /** Folder the fetch step writes to. Default 'data/models' (relative to root). */
  dir?: string;
  /** Project root for relative paths. Default process.cwd(). */
  root?: string;
  /** Hash every file on load (slow for big models). Default false: size only. */
  checkHash?: boolean;
}

export class DirectoryModelSource implements ModelSource {
  constructor(private readonly options: DirectoryModelSourceOptions = {}) {}

  async pathOf(entry: ModelEntry, file: ModelFile): Promise<string> {
    const path = await import('node:path');
    const root = this.options.root ?? process.cwd();
    if (file.bundledPath) return path.resolve(root, file.bundledPath);
    return path.resolve(root, this.options.dir ?? 'data/models', entry.id, file.name);
  }

  async getFile(entry: ModelEntry, file: ModelFile, onProgress?: ProgressCallback): Promise<Uint8Array> {
    const fs = await import('node:fs/promises');
    const p = await this.pathOf(entry, file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(p));
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new ModelUnavailableError(
        entry.id,
        file.name,
        file.url,
        `${p} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`}`,
        `run: npm run models:fetch -- --only ${entry.id}`,
      );
    }
    await verifyModelFile(entry, file, bytes, this.options.checkHash ?? false);
    onProgress?.({ modelId: entry.id, stage: 'cache', loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  }
}
