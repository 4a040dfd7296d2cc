/**
 * Interop: Spark 2.2 (the app's renderer) must read the .ply we write, semantics property and
 * bank comments included. Spark parses .ply in Rust compiled to wasm; its JS glue ships only in a
 * worker source map and the wasm is inlined as base64 in spark.module.js. This test extracts both
 * from the installed package and runs Spark's own decoder in Node. If a Spark update moves them,
 * the suite is skipped with that reason in its name rather than failing on packaging.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { writePly } from '../../../lib/splat/ply';
import { syntheticScene } from './synthetic-scene';

const dist = join(process.cwd(), 'node_modules/@sparkjsdev/spark/dist');

function extractSpark(): { glue: string; wasm: Uint8Array } | null {
  if (!existsSync(dist)) return null;
  let glue: string | null = null;
  for (const f of readdirSync(join(dist, 'assets')).filter((n) => n.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(dist, 'assets', f), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    const i = map.sources.findIndex((s) => s.endsWith('spark_rs.js'));
    if (i >= 0 && map.sourcesContent?.[i]) glue = map.sourcesContent[i];
  }
  const js = readFileSync(join(dist, 'spark.module.js'), 'utf8');
  const m = /"([A-Za-z0-9+/=]{100000,})"/.exec(js);
  if (!glue || !m) return null;
  const wasm = Uint8Array.from(Buffer.from(m[1], 'base64'));
  if (wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) return null;
  return { glue, wasm };
}

const spark = extractSpark();

describe.skipIf(!spark)(`Spark reads our .ply${spark ? '' : ' (SKIPPED: Spark wasm/glue not found in the installed package)'}`, () => {
  it('decodes count, SH degree and exact centres of files with semantics and a 512-d bank', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spark-rs-'));
    const gluePath = join(dir, 'spark_rs.mjs');
    writeFileSync(gluePath, spark!.glue);
    const mod = (await import(pathToFileURL(gluePath).href)) as {
      initSync(o: { module: Uint8Array }): void;
      decode_to_gsplatarray(type: string, name: string): {
        push(b: Uint8Array): void;
        finish(): { numSplats: number; maxShDegree: number; to_extsplats(): { numSplats: number; ext0: Uint32Array } };
      };
    };
    mod.initSync({ module: spark!.wasm });
    for (const [degree, opts] of [
      [0, {}],
      [3, {}],
      [1, { semantic: 'uint', normals: false }],
    ] as const) {
      const s = syntheticScene({ count: 700, shDegree: degree, bankDim: 512 });
      const dec = mod.decode_to_gsplatarray('ply', 'scene.ply');
      dec.push(writePly(s, opts));
      const arr = dec.finish();
      expect(arr.numSplats).toBe(700);
      expect(arr.maxShDegree).toBe(degree);
      const ext = arr.to_extsplats();
      // ext0 holds 4 words per splat; the first three are the centre's float32 bits.
      const f = new Float32Array(ext.ext0.buffer, ext.ext0.byteOffset, ext.ext0.length);
      for (let i = 0; i < 700; i++) for (let k = 0; k < 3; k++) expect(f[i * 4 + k]).toBe(s.positions[i * 3 + k]);
    }
  });
});
