/**
 * npm run models:fetch [-- --only id,id] [--dir data/models] [--list]
 *
 * Downloads the real models of public/models/manifest.json into <dir>/<model id>/<file> (the layout
 * DirectoryModelSource reads), with a progress bar, verifying size and sha256 where the manifest knows
 * them, writing each file atomically (<file>.part, then rename). Bundled models (FastDepth) are only checked.
 * With no network it fails with a message naming every file to fetch and where from.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelEntry, ModelFile, ModelManifest } from '../lib/inference/models/manifest';
import { shippedManifest } from '../lib/inference/models/manifest';
import { formatHelp, parseCommand, UsageError, type CommandSpec } from './cli/args';

export type FetchLike = (url: string) => Promise<Response>;

export interface FetchModelsOptions {
  only?: string[];
  /** Target folder, relative to root. Default data/models. */
  dir?: string;
  root?: string;
  manifest?: ModelManifest;
  fetch?: FetchLike;
  /** Progress and status lines (default: stderr). */
  log?: (line: string) => void;
  /** Draw a \r progress bar (default: when stderr is a TTY). */
  progressBar?: boolean;
}

export interface FetchFailure {
  modelId: string;
  file: string;
  url: string;
  reason: string;
}

export interface FetchModelsResult {
  fetched: string[];
  present: string[];
  failed: FetchFailure[];
}

function filesOf(entry: ModelEntry): ModelFile[] {
  return entry.tokenizer ? [...entry.files, entry.tokenizer.file] : [...entry.files];
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function isValid(file: string, spec: ModelFile): Promise<boolean> {
  if (!existsSync(file)) return false;
  const st = await stat(file);
  if (spec.bytes !== null && st.size !== spec.bytes) return false;
  if (spec.sha256 !== null && (await sha256File(file)) !== spec.sha256) return false;
  return st.size > 0;
}

function bar(loaded: number, total: number): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  if (!total) return `${mb(loaded)} MB`;
  const frac = Math.min(1, loaded / total);
  const w = 30;
  const filled = Math.round(frac * w);
  return `[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(loaded)}/${mb(total)} MB`;
}

async function download(entry: ModelEntry, spec: ModelFile, target: string, opts: Required<Pick<FetchModelsOptions, 'log' | 'progressBar'>> & { fetch: FetchLike }): Promise<void> {
  const res = await opts.fetch(spec.url);
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  const header = Number(res.headers.get('content-length') ?? '');
  const total = Number.isFinite(header) && header > 0 ? header : (spec.bytes ?? 0);
  const part = `${target}.part`;
  await mkdir(path.dirname(target), { recursive: true });
  const fh = await open(part, 'w');
  const hash = createHash('sha256');
  let loaded = 0;
  let lastLog = 0;
  try {
    if (!res.body) throw new Error('empty response body');
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await fh.write(value);
      hash.update(value);
      loaded += value.byteLength;
      if (spec.bytes !== null && loaded > spec.bytes) throw new Error(`more than the expected ${spec.bytes} bytes`);
      const now = Date.now();
      if (opts.progressBar) process.stderr.write(`\r  ${entry.id}/${spec.name} ${bar(loaded, total)}`);
      else if (now - lastLog > 5000) {
        opts.log(`  ${entry.id}/${spec.name} ${bar(loaded, total)}`);
        lastLog = now;
      }
    }
  } catch (e) {
    await fh.close();
    await rm(part, { force: true });
    throw e;
  }
  await fh.close();
  if (opts.progressBar) process.stderr.write('\n');
  const digest = hash.digest('hex');
  if (spec.bytes !== null && loaded !== spec.bytes) {
    await rm(part, { force: true });
    throw new Error(`got ${loaded} bytes, expected ${spec.bytes}`);
  }
  if (spec.sha256 !== null && digest !== spec.sha256) {
    await rm(part, { force: true });
    throw new Error(`sha256 ${digest}, expected ${spec.sha256}`);
  }
  await rename(part, target);
  opts.log(`  ${entry.id}/${spec.name}: ${loaded} bytes, sha256 ${digest}${spec.sha256 ? ' (verified)' : ' (not in the manifest: record it there)'}`);
}

export async function fetchModels(options: FetchModelsOptions = {}): Promise<FetchModelsResult> {
  const manifest = options.manifest ?? shippedManifest();
  const root = options.root ?? process.cwd();
  const dir = path.resolve(root, options.dir ?? 'data/models');
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const progressBar = options.progressBar ?? Boolean(process.stderr.isTTY);
  const fetchFn = options.fetch ?? ((url: string) => fetch(url));
  const known = new Set(manifest.models.map((m) => m.id));
  for (const id of options.only ?? []) {
    if (!known.has(id)) throw new Error(`models:fetch: unknown model id "${id}" (known: ${[...known].join(', ')})`);
  }
  const selected = manifest.models.filter((m) => !m.standIn && (!options.only || options.only.includes(m.id)));
  const result: FetchModelsResult = { fetched: [], present: [], failed: [] };
  for (const entry of selected) {
    for (const spec of filesOf(entry)) {
      const key = `${entry.id}/${spec.name}`;
      if (spec.bundledPath) {
        const p = path.resolve(root, spec.bundledPath);
        if (await isValid(p, spec)) result.present.push(key);
        else result.failed.push({ modelId: entry.id, file: spec.name, url: spec.bundledPath, reason: 'bundled file missing or altered: reinstall node_modules' });
        continue;
      }
      const target = path.join(dir, entry.id, spec.name);
      if (await isValid(target, spec)) {
        result.present.push(key);
        continue;
      }
      log(`Fetching ${key} from ${spec.url}`);
      try {
        await download(entry, spec, target, { fetch: fetchFn, log, progressBar });
        result.fetched.push(key);
      } catch (e) {
        const cause = (e as { cause?: { message?: string } }).cause?.message;
        result.failed.push({ modelId: entry.id, file: spec.name, url: spec.url, reason: `${(e as Error).message}${cause ? ` (${cause})` : ''}` });
      }
    }
  }
  if (result.failed.length > 0) {
    const lines = result.failed.map((f) => `  - ${f.modelId}/${f.file} from ${f.url}: ${f.reason}`);
    const err = new Error(
      `models:fetch could not get ${result.failed.length} file(s) (no network?):\n${lines.join('\n')}\n` +
        `Download each URL by hand into ${path.relative(root, dir) || '.'}/<model id>/<file>, or rerun when online.`,
    ) as Error & { result?: FetchModelsResult };
    err.result = result;
    throw err;
  }
  return result;
}

export const MODELS_FETCH_COMMAND = {
  command: 'npm run models:fetch --',
  usage: ['[--only id,id] [--dir data/models] [--list]'],
  summary: 'Downloads the published model files of the manifest, checking each one\'s size and sha256.',
  options: {
    only: { type: 'list', value: 'id,id', help: 'fetch only these manifest model ids (default: every model)' },
    dir: { type: 'string', value: 'folder', default: 'data/models', help: 'where the model files go' },
    list: { type: 'boolean', help: 'list the models and their files, fetch nothing' },
  },
} satisfies CommandSpec;

/** Throws UsageError naming the problem; `help` is true for --help. */
export function parseArgs(argv: string[]): { only?: string[]; dir?: string; list: boolean; help: boolean } {
  const p = parseCommand(MODELS_FETCH_COMMAND, argv);
  const out: { only?: string[]; dir?: string; list: boolean; help: boolean } = { list: p.values.list, help: p.help };
  if (p.values.only) out.only = p.values.only;
  if (p.given.has('dir')) out.dir = p.values.dir;
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(formatHelp(MODELS_FETCH_COMMAND));
    return;
  }
  if (args.list) {
    for (const m of shippedManifest().models) {
      for (const f of filesOf(m)) console.log(`${m.id.padEnd(28)} ${f.name.padEnd(34)} ${f.bundledPath ? `(bundled) ${f.bundledPath}` : f.url}`);
    }
    return;
  }
  const r = await fetchModels({ only: args.only, dir: args.dir });
  console.log(`models:fetch: ${r.fetched.length} fetched, ${r.present.length} already present and valid.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? `models:fetch: ${e.message}` : e);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
