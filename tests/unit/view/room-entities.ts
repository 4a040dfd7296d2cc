/**
 * Test helper: an @iwer/sem room capture (captures/<room>.json) as the DeviceEntity list a Quest would
 * report through WebXR: bounded3D boxes as meshes (8 corners), bounded2D rectangles as planes (4 corners,
 * plane space x/z), the GLOBAL_MESH as a mesh of its vertices, all in the capture's world (= local-floor).
 */
import { readFileSync } from 'node:fs';
import { quaternionToMatrix3 } from '../../../lib/sim/room';
import type { DeviceEntity } from '../../../lib/inference/semantics/device-labels';

interface V3 { x: number; y: number; z: number }
interface Entity {
  uuid: string;
  semanticLabel_META: string;
  locatable_META: { orientation: V3 & { w: number }; position: V3 };
  bounded2D_META?: { offset: { x: number; y: number }; extent: { width: number; height: number } };
  bounded3D_META?: { offset: V3; extent: { width: number; height: number; depth: number } };
  triangleMesh_META?: { vertices: string; indices: string };
}

function place(e: Entity, local: number[]): Float32Array {
  const { orientation: q, position: p } = e.locatable_META;
  const r = quaternionToMatrix3([q.x, q.y, q.z, q.w]);
  const out = new Float32Array(local.length);
  for (let i = 0; i < local.length; i += 3) {
    const [x, y, z] = [local[i], local[i + 1], local[i + 2]];
    out[i] = r[0] * x + r[3] * y + r[6] * z + p.x;
    out[i + 1] = r[1] * x + r[4] * y + r[7] * z + p.y;
    out[i + 2] = r[2] * x + r[5] * y + r[8] * z + p.z;
  }
  return out;
}

export function roomEntities(room = 'living_room'): DeviceEntity[] {
  const json = JSON.parse(readFileSync(`node_modules/@iwer/sem/captures/${room}.json`, 'utf8')) as { spatialEntities: Entity[] };
  const out: DeviceEntity[] = [];
  for (const e of json.spatialEntities) {
    const label = e.semanticLabel_META;
    if (e.bounded3D_META) {
      const { offset: o, extent: x } = e.bounded3D_META;
      const c: number[] = [];
      for (const a of [o.x, o.x + x.width]) for (const b of [o.y, o.y + x.height]) for (const d of [o.z, o.z + x.depth]) c.push(a, b, d);
      out.push({ label, kind: 'mesh', points: place(e, c), id: e.uuid });
    } else if (e.bounded2D_META) {
      const { offset: o, extent: x } = e.bounded2D_META;
      // bounded2D spans local x and z (a PlaneGeometry rotated +90 deg about x): local y is the normal.
      const c = [o.x, 0, o.y, o.x + x.width, 0, o.y, o.x + x.width, 0, o.y + x.height, o.x, 0, o.y + x.height];
      out.push({ label, kind: 'plane', points: place(e, c), id: e.uuid });
    } else if (e.triangleMesh_META) {
      const bin = Buffer.from(e.triangleMesh_META.vertices, 'base64');
      const v = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
      const ib = Buffer.from(e.triangleMesh_META.indices, 'base64');
      const indices = new Uint32Array(ib.buffer.slice(ib.byteOffset, ib.byteOffset + ib.byteLength));
      out.push({ label, kind: 'mesh', points: place(e, Array.from(v)), indices, id: e.uuid });
    }
  }
  return out;
}
