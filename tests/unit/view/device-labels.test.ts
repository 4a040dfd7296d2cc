import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  answerFromDeviceLabels,
  canonicalDeviceLabel,
  describeEntity,
  queryTopic,
  deviceLabelsForQuery,
  mergeAnswers,
  polygonPoints,
  transformPoints,
  type DeviceEntity,
} from '../../../lib/inference/semantics/device-labels';
import { roomEntities } from './room-entities';

interface GtObject { label: string; color: string; aabb: { min: number[]; max: number[] } }
const gt = JSON.parse(readFileSync('public/samples/living_room.groundtruth/instances.json', 'utf8')) as { objects: GtObject[] };

describe('deviceLabelsForQuery', () => {
  it.each([
    ['lamp', ['LAMP']],
    ['Where is the lamp?', ['LAMP']],
    ['lamps', ['LAMP']],
    ['light', ['LAMP']],
    ['sofa', ['COUCH']],
    ['the couch', ['COUCH']],
    ['TV', ['SCREEN']],
    ['monitor', ['SCREEN']],
    ['bookshelf', ['STORAGE']],
    ['wall art', ['WALL_ART']],
    ['picture on the wall', ['WALL_ART']],
    ['wall', ['WALL_FACE']],
    ['sofa and lamp', ['COUCH', 'LAMP']],
  ])('%s -> %j', (q, want) => {
    expect(deviceLabelsForQuery(q as string)).toEqual(want);
  });
  it('words that merely contain a synonym do not match', () => {
    expect(deviceLabelsForQuery('lighthouse')).toEqual([]);
    expect(deviceLabelsForQuery('yellow')).toEqual([]);
    expect(deviceLabelsForQuery('')).toEqual([]);
  });
});

describe('answerFromDeviceLabels on the living_room Space Setup', () => {
  const ents = roomEntities('living_room');
  it('"where is the lamp?" gives the two LAMP boxes, their centroids inside the ground-truth lamp boxes', () => {
    const ans = answerFromDeviceLabels('where is the lamp?', ents);
    expect(ans.labels).toEqual(['LAMP']);
    expect(ans.instances).toHaveLength(2);
    const lamps = gt.objects.filter((o) => o.label === 'LAMP');
    expect(lamps).toHaveLength(2);
    for (const inst of ans.instances) {
      const inside = lamps.some((l) => inst.centroid.every((v, k) => v >= l.aabb.min[k] - 0.02 && v <= l.aabb.max[k] + 0.02));
      expect(inside).toBe(true);
    }
  });
  it('a COUCH reported as a box and as its top plane is answered once (the box)', () => {
    const ans = answerFromDeviceLabels('sofa', ents);
    expect(ans.instances.map((i) => i.kind)).toEqual(['mesh']);
  });
  it('a label the room lacks is "not found" with a reason; an unknown word names the vocabulary', () => {
    const screen = answerFromDeviceLabels('tv', ents);
    expect(screen.instances).toEqual([]);
    expect(screen.reason).toMatch(/has no screen/);
    const none = answerFromDeviceLabels('yellow', ents);
    expect(none.labels).toEqual([]);
    expect(none.reason).toMatch(/names no room label/);
  });
});

describe('WebXR registry labels (Quest Browser, iwer) and Space Setup labels are one vocabulary', () => {
  it.each([
    ['desk', 'TABLE'],
    ['shelf', 'STORAGE'],
    ['wall', 'WALL_FACE'],
    ['door', 'DOOR_FRAME'],
    ['window', 'WINDOW_FRAME'],
    ['wall art', 'WALL_ART'],
    ['global mesh', 'GLOBAL_MESH'],
    ['lamp', 'LAMP'],
    ['STORAGE', 'STORAGE'],
    ['WALL_FACE', 'WALL_FACE'],
    ['', 'OTHER'],
  ])('%s -> %s', (raw, want) => {
    expect(canonicalDeviceLabel(raw)).toBe(want);
    expect(canonicalDeviceLabel(canonicalDeviceLabel(raw))).toBe(want);
  });
  it('a shelf, wall or door reported with registry names is found by "shelf", "wall", "door"', () => {
    // The same room, relabelled the way the WebXR runtime reports it.
    const toRegistry: Record<string, string> = { STORAGE: 'shelf', WALL_FACE: 'wall', DOOR_FRAME: 'door', WINDOW_FRAME: 'window', WALL_ART: 'wall art', TABLE: 'table', COUCH: 'couch', LAMP: 'lamp' };
    const ents = roomEntities('living_room').map((e) => ({ ...e, label: toRegistry[e.label] ?? e.label.toLowerCase() }));
    const spaceSetup = roomEntities('living_room');
    for (const [q, label] of [['where is the shelf?', 'STORAGE'], ['wall', 'WALL_FACE'], ['lamp', 'LAMP']] as const) {
      const want = spaceSetup.filter((e) => e.label === label).length;
      if (want === 0) continue;
      const ans = answerFromDeviceLabels(q, ents);
      expect(ans.instances.length, q).toBeGreaterThan(0);
      expect(ans.instances.every((i) => i.label === label), q).toBe(true);
      expect(ans.instances).toEqual(answerFromDeviceLabels(q, spaceSetup).instances);
    }
  });
});

describe('queryTopic', () => {
  it.each([
    ['Where is the lamp?', 'lamp'],
    ['show me the red chairs', 'red chair'],
    ['purple', 'purple'],
    ['  Where is it?  ', 'it'],
    ['where is the', 'where is the'],
  ])('%s -> %s', (q, want) => expect(queryTopic(q)).toBe(want));
});

describe('geometry helpers', () => {
  it('transformPoints applies a column-major pose; polygonPoints flattens DOMPoints', () => {
    // 90 degrees about +y then translate (1, 2, 3): local +x -> world -z.
    const m = [0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 2, 3, 1];
    const p = transformPoints(polygonPoints([{ x: 1, y: 0, z: 0 }]), m);
    expect(Array.from(p)).toEqual([1, 2, 2]);
    expect(() => transformPoints([1, 2], m)).toThrow(/whole number/);
  });
  it('describeEntity rejects empty and non-finite input', () => {
    expect(() => describeEntity(new Float32Array(0))).toThrow(/non-empty/);
    expect(() => describeEntity(new Float32Array([0, NaN, 0]))).toThrow(/non-finite/);
  });
});

describe('mergeAnswers', () => {
  const box = (c: number[], h = 0.1) => ({ min: c.map((v) => v - h) as [number, number, number], max: c.map((v) => v + h) as [number, number, number] });
  const dev = (c: [number, number, number]): DeviceEntity => ({ label: 'LAMP', kind: 'mesh', points: new Float32Array([...c.map((v) => v - 0.1), ...c.map((v) => v + 0.1)]) });
  it('dedupes a device answer near a scene answer and keeps the far one', () => {
    const scene = [{ label: 'lamp shade', centroid: [0, 1, 0] as [number, number, number], box: box([0, 1, 0]), score: 0.7 }];
    const d = answerFromDeviceLabels('lamp', [dev([0.1, 1, 0.05]), dev([3, 1, 0])]).instances;
    const m = mergeAnswers(scene, d, 0.3);
    expect(m.map((x) => x.source)).toEqual(['both', 'device']);
    expect(m[0].label).toBe('LAMP');
    expect(m[0].sceneIndex).toBe(0);
    expect(mergeAnswers(scene, d, 0.01).map((x) => x.source)).toEqual(['scene', 'device', 'device']);
  });
});
