/**
 * Answers before the CLIP text model is installed: stored bank labels matched through the room-label and
 * vocabulary synonyms, the one answerQuestion entry point (labels without an engine, relevancy with one),
 * the relevancy tie rule (0.5 is no answer), and the shipped sample's annotation bank answering "lamp".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeFolderFiles } from '../../../lib/capture/node-files';
import { annotatedQueryScene, annotationBank } from '../../../lib/inference/semantics/annotation-bank';
import { answerQuestion } from '../../../lib/inference/semantics/answer-question';
import { answerFromStoredLabels, keysForQuestion } from '../../../lib/inference/semantics/label-answers';
import { isAnswerScore, RELEVANCY_TIE, SemanticQuery } from '../../../lib/inference/semantics/query';
import { GaussianScene } from '../../../lib/splat/gaussian-scene';
import { buildSceneFromBundle } from '../../../lib/web/scene-build';
import { DIM, FakeText, conceptVector } from './fakes';

/** Four labelled objects (30 Gaussians each, 1 m apart on x) and some unlabelled background. */
function labelledScene(labels: string[], embed = true) {
  const scene = new GaussianScene({ bankDim: DIM });
  labels.forEach((l, k) => scene.bank.add(embed ? conceptVector(l.toLowerCase()) : new Float32Array(DIM), { label: l, instanceId: k + 1, sourceViews: [0], support: 1 }));
  const per = 30;
  const start = scene.allocate(per * (labels.length + 1));
  for (let k = 0; k <= labels.length; k++)
    for (let j = 0; j < per; j++) {
      const i = start + k * per + j;
      scene.positions.set([k + (j % 5) * 0.02, 0.5 + Math.floor(j / 5) * 0.02, 0], i * 3);
      scene.semantic[i] = k < labels.length ? k + 1 : 0;
    }
  return scene;
}

describe('answers from stored labels', () => {
  const scene = labelledScene(['LAMP', 'couch', 'floor lamp', 'chair']);

  it('"where is the lamp?" finds every entry named a lamp, in any vocabulary', () => {
    const a = answerFromStoredLabels(scene, 'where is the lamp?');
    expect(a.answeredFrom).toBe('stored labels');
    expect(a.instances.map((i) => i.label).sort()).toEqual(['floor lamp', 'lamp']);
    expect([...a.rows]).toEqual([0, 1, 0, 1, 0]);
    expect(a.instances.every((i) => i.count === 30 && i.score === 1)).toBe(true);
    expect(answerFromStoredLabels(scene, 'Where are the lamps').instances).toHaveLength(2);
  });

  it('"sofa" finds the couch (synonyms), a chair is not a couch', () => {
    const a = answerFromStoredLabels(scene, 'sofa');
    expect(a.instances.map((i) => i.label)).toEqual(['couch']);
    expect(a.instances[0].centroid[0]).toBeCloseTo(1.04, 2);
    expect(answerFromStoredLabels(scene, 'find the chair').instances.map((i) => i.label)).toEqual(['chair']);
  });

  it('a word inside a longer phrase does not match: a light switch is not a light', () => {
    expect(keysForQuestion('where is the light switch')).not.toContain('dev:LAMP');
    expect(answerFromStoredLabels(scene, 'where is the light switch').instances).toEqual([]);
    expect(keysForQuestion('show me the floor lamp')).not.toContain('dev:FLOOR');
  });

  it('unknown words and things the scene lacks are not found, with a reason', () => {
    const a = answerFromStoredLabels(scene, 'where is the giraffe?');
    expect(a.instances).toEqual([]);
    expect(a.reason).toMatch(/no stored label or synonym matches/);
    expect(a.reason).toMatch(/couch/);
    const b = answerFromStoredLabels(scene, 'where is the tv?');
    expect(b.instances).toEqual([]);
    expect(b.reason).toMatch(/have no screen/);
    expect(answerFromStoredLabels(scene, 'where is the?').reason).toMatch(/names nothing/);
  });
});

describe('answerQuestion: one entry point', () => {
  it('without a text encoder answers from stored labels and says the model adds open vocabulary', async () => {
    const a = await answerQuestion(labelledScene(['lamp', 'chair']), 'where is the lamp?', { noEngine: 'semantic model not installed' });
    expect(a.answeredFrom).toBe('stored labels');
    expect(a.instances.map((i) => i.label)).toEqual(['lamp']);
    expect(a.note).toMatch(/^from stored labels \(semantic model not installed; install the semantic model/);
  });

  it('with a text encoder scores relevancy over the bank', async () => {
    const a = await answerQuestion(labelledScene(['lamp', 'chair']), 'lamp', { engine: new SemanticQuery(new FakeText()) });
    expect(a.answeredFrom).toBe('relevancy');
    expect(a.note).toBeUndefined();
    expect(a.instances.map((i) => i.label)).toEqual(['lamp']);
    expect(a.instances[0].score).toBeGreaterThan(0.5);
  });

  it('a names-only bank is answered from labels even when an encoder is loaded', async () => {
    const a = await answerQuestion(labelledScene(['lamp', 'chair'], false), 'lamp', { engine: new SemanticQuery(new FakeText()) });
    expect(a.answeredFrom).toBe('stored labels');
    expect(a.instances).toHaveLength(1);
    expect(a.note).toMatch(/labels only/);
  });

  it('a scene without semantics or labels gets a reason, not an exception', async () => {
    const bare = new GaussianScene({ bankDim: DIM });
    expect((await answerQuestion(bare, 'lamp')).reason).toMatch(/no semantics/);
    expect((await answerQuestion(labelledScene(['', '']), 'lamp', { noEngine: 'semantic model not installed' })).reason).toMatch(/semantic model not installed, and the scene's bank has no stored labels/);
  });
});

describe('relevancy of exactly 0.5 is not an answer', () => {
  it('isAnswerScore: above 0.5 by more than float noise', () => {
    expect(isAnswerScore(0.5)).toBe(false);
    expect(isAnswerScore(0.5 + RELEVANCY_TIE / 2)).toBe(false);
    expect(isAnswerScore(Math.fround(0.5000001))).toBe(false);
    expect(isAnswerScore(0.5 + 1e-4)).toBe(true);
    expect(isAnswerScore(0.49)).toBe(false);
  });

  it('entries the encoder cannot tell from the canonical phrases (zero rows: score 0.5) are not selected', async () => {
    // Row 1 lamp, row 2 all zeros (an entry with no embedding): f.q = f.c = 0 -> exactly 0.5.
    const scene = labelledScene(['lamp', 'chair']);
    scene.bank.embeddings.fill(0, 2 * DIM, 3 * DIM);
    const q = new SemanticQuery(new FakeText());
    const a = await q.query(scene, 'lamp');
    expect(a.entryScores[2]).toBeCloseTo(0.5, 6);
    expect([...a.rows]).toEqual([0, 1, 0]);
    expect(a.instances.map((i) => i.bankIndices)).toEqual([[1]]);
    // Only ties: nothing found, and the reason says it was a tie.
    const b = await q.query(scene, 'object');
    expect(b.instances).toEqual([]);
    expect(b.reason).toMatch(/tie with the canonical phrases/);
  });
});

describe("the shipped sample's annotation bank", () => {
  interface GtObject { id: number; label: string; aabb: { min: number[]; max: number[] } }
  const gt = JSON.parse(readFileSync('public/samples/living_room.groundtruth/instances.json', 'utf8')) as { objects: GtObject[] };

  it('labels the Gaussians with the annotated objects and answers "where is the lamp?" with the lamps', async () => {
    const r = await buildSceneFromBundle(nodeFolderFiles('public/samples/living_room'), { maxGaussians: 30_000, annotations: nodeFolderFiles('public/samples/living_room.groundtruth') });
    expect(r.semanticsError).toBeUndefined();
    expect(r.semantics?.source).toBe("the sample's annotations");
    const scene = annotatedQueryScene(r.gaussians, r.semantics)!;
    expect(scene.bank.count - 1).toBe(r.semantics!.entries.length);
    expect(r.semantics!.entries.map((e) => e.label)).toContain('LAMP');
    const a = await answerQuestion(scene, 'where is the lamp?', { noEngine: 'semantic model not installed' });
    expect(a.answeredFrom).toBe('stored labels');
    const lamps = gt.objects.filter((o) => o.label === 'LAMP');
    expect(a.instances.length).toBe(lamps.length);
    for (const inst of a.instances) {
      expect(inst.label).toBe('lamp');
      // Each answer's centroid lies in (or within 15 cm of: objects grow out of their boxes) a lamp's box.
      const d = Math.min(...lamps.map((o) => Math.hypot(...inst.centroid.map((v, k) => Math.max(o.aabb.min[k] - v, 0, v - o.aabb.max[k])))));
      expect(d).toBeLessThan(0.15);
    }
    expect((await answerQuestion(scene, 'sofa')).instances.map((i) => i.label)).toEqual(['couch']);
  });

  it('a bundle without annotations builds as before; broken annotations are reported, not fatal', async () => {
    const none = await buildSceneFromBundle(nodeFolderFiles('public/samples/living_room'), { maxGaussians: 5_000, maxFrames: 2, annotations: nodeFolderFiles('public/samples') });
    expect(none.semantics).toBeUndefined();
    expect(none.semanticsError).toBeUndefined();
    const bad = { exists: async () => true, readFile: async () => new TextEncoder().encode('{ nope'), writeFile: async () => {} };
    const broken = await buildSceneFromBundle(nodeFolderFiles('public/samples/living_room'), { maxGaussians: 5_000, maxFrames: 2, annotations: bad });
    expect(broken.gaussians.count).toBeGreaterThan(1000);
    expect(broken.semanticsError).toMatch(/annotations not used: instances.json: not valid JSON/);
  });

  it('annotationBank: names only, grouped per object', () => {
    const b = annotationBank([{ label: 'LAMP', instanceId: 7, sourceViews: [1], support: 3 }]);
    expect(b.count).toBe(2);
    expect(b.hasEmbeddings()).toBe(false);
    expect(b.hasLabels()).toBe(true);
    expect(b.maskSource).toBe('annotations');
  });
});
