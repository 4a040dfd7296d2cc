/**
 * A scanned room from @iwer/sem (Meta Quest Space Setup captures, MIT) as flat typed arrays.
 *
 * Input layout (checked against @iwer/sem 2.4 lib/src/native/*):
 * - `{ type: 'scene', version: 1, spatialEntities: [...] }`; each entity has `locatable_META`
 *   `{ position {x,y,z}, orientation {x,y,z,w} }`, which places its local frame in the world like a
 *   three.js Object3D (world = T * R * local). The world is already WebXR local-floor: metres,
 *   y up, floor plane within a few cm of y = 0 (checked on all five rooms).
 * - `triangleMesh_META { vertices, indices }`: base64 of little-endian float32 xyz / uint32 triangle
 *   indices, in the entity's local frame. One per room (the GLOBAL_MESH scan; office_large labels it
 *   UNRECOGNIZED): the only real geometry.
 * - `bounded3D_META { offset {x,y,z}, extent {width,height,depth} }`: a labelled box spanning
 *   local [offset, offset + extent].
 * - `bounded2D_META { offset {x,y}, extent {width,height} }`: a labelled rectangle spanning local
 *   x in [offset.x, offset.x + width], local z in [offset.y, offset.y + height] (three.js
 *   PlaneGeometry rotated +90 deg about x); its normal is the local y axis.
 *
 * How triangles get object ids (the instance ground truth): objects are every labelled 3D box,
 * plus 2D rectangles that are things rather than room structure or a box's top face (WALL_ART,
 * WINDOW_FRAME, DOOR_FRAME, SCREEN...), given a 2 x PLANE_OBJECT_HALF_THICKNESS slab. A triangle of
 * the global mesh takes the id of the smallest-volume object whose box (grown by BOX_MARGIN)
 * contains its centroid. Triangles that lie on a floor / ceiling / wall plane never take a 3D
 * box's id (the floor under a couch box stays floor), but do take a 2D object's id (a picture is
 * flat on its wall). Horizontal triangles within SUPPORT_BAND of a box's bottom are skipped for
 * that box: they are the table top a lamp stands on, and fall to the next (larger) box. Finally
 * box objects grow through mesh connectivity into unlabelled non-structural triangles up to
 * GROW_MARGIN outside their box (scanned objects stick out of their boxes: lampshades, cushions). Ids start at 1 in file order; 0 = structure / unlabelled clutter.
 *
 * Surface class is geometric and independent of the object id: a triangle parallel to a FLOOR /
 * CEILING / WALL_FACE plane (|cos| > 0.9), within STRUCTURE_DISTANCE of it and inside its rectangle
 * (grown by 10 cm) is floor / ceiling / wall; everything else is other.
 */

export const SURFACE_OTHER = 0;
export const SURFACE_WALL = 1;
export const SURFACE_FLOOR = 2;
export const SURFACE_CEILING = 3;
export const SURFACE_NAMES = ['other', 'wall', 'floor', 'ceiling'] as const;
export type SurfaceName = (typeof SURFACE_NAMES)[number];

/** Metres a box is grown by before testing triangle centroids (scan noise at box faces). */
export const BOX_MARGIN = 0.03;
/** Half thickness (m) of the slab that stands in for a labelled 2D rectangle object. */
export const PLANE_OBJECT_HALF_THICKNESS = 0.06;
/** How far (m) outside its box an object may grow through connected unlabelled triangles. */
export const GROW_MARGIN = 0.15;
/** Horizontal triangles this close (m) above a box's bottom belong to what supports it. */
export const SUPPORT_BAND = 0.05;
/** Max distance (m) of a structural triangle's centroid from its plane. */
export const STRUCTURE_DISTANCE = 0.08;

const STRUCTURE_LABELS: Record<string, number> = {
  FLOOR: SURFACE_FLOOR,
  CEILING: SURFACE_CEILING,
  WALL_FACE: SURFACE_WALL,
  INNER_WALL_FACE: SURFACE_WALL,
  INVISIBLE_WALL_FACE: SURFACE_WALL,
};

/** A box in the world: centre, half sizes along its own axes, and those axes (unit, world). */
export interface OrientedBox {
  center: [number, number, number];
  halfSize: [number, number, number];
  /** Column-major 3x3: columns are the box's local x, y, z axes in world coordinates. */
  axes: Float64Array;
  /** The same rotation as a quaternion x, y, z, w (from the capture). */
  quaternion: [number, number, number, number];
}

export interface RoomObject {
  /** 1-based instance id (the value in objectId / instance maps). */
  id: number;
  /** Meta Space Setup label, e.g. LAMP, COUCH, TABLE, WALL_ART. */
  label: string;
  /** Entity uuid in the capture. */
  uuid: string;
  /** 'box' from a bounded3D entity, 'plane' from a bounded2D rectangle given a thin slab. */
  source: 'box' | 'plane';
  box: OrientedBox;
  aabbMin: [number, number, number];
  aabbMax: [number, number, number];
  /** Triangles of the global mesh that took this id. */
  triangleCount: number;
}

/** A labelled rectangle of room structure (floor, ceiling, walls). */
export interface RoomPlane {
  label: string;
  surface: number;
  origin: [number, number, number];
  /** In-plane unit axes (world) and the rectangle's extent along them (metres from origin). */
  axisU: [number, number, number];
  axisV: [number, number, number];
  normal: [number, number, number];
  uMin: number;
  uMax: number;
  vMin: number;
  vMax: number;
}

export interface RoomScene {
  /** 9 floats per triangle (three world-space vertices, metres), non-indexed. */
  positions: Float32Array;
  triangleCount: number;
  /** Per triangle: instance id (index into objects by id), 0 = structure / unlabelled. */
  objectId: Uint16Array;
  /** Per triangle: SURFACE_* class. */
  surface: Uint8Array;
  objects: RoomObject[];
  planes: RoomPlane[];
  /** World AABB of the mesh. */
  boundsMin: [number, number, number];
  boundsMax: [number, number, number];
  /** Height of the FLOOR plane (or the mesh minimum) and of the CEILING plane (or mesh maximum). */
  floorY: number;
  ceilingY: number;
}

type Vec3 = [number, number, number];
type Quat = [number, number, number, number];

interface Pose {
  p: Vec3;
  q: Quat;
}

function fail(msg: string): never {
  throw new Error(`loadRoom: ${msg}`);
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what} must be a finite number, got ${String(v)}`);
  return v;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function readPose(e: Record<string, unknown>, what: string): Pose {
  const loc = obj(e.locatable_META, `${what}.locatable_META`);
  const p = obj(loc.position, `${what}.locatable_META.position`);
  const q = obj(loc.orientation, `${what}.locatable_META.orientation`);
  const qq: Quat = [num(q.x, `${what} orientation.x`), num(q.y, `${what} orientation.y`), num(q.z, `${what} orientation.z`), num(q.w, `${what} orientation.w`)];
  const n = Math.hypot(qq[0], qq[1], qq[2], qq[3]);
  if (!(n > 0.5 && n < 1.5)) fail(`${what} orientation is not a unit quaternion (norm ${n})`);
  return {
    p: [num(p.x, `${what} position.x`), num(p.y, `${what} position.y`), num(p.z, `${what} position.z`)],
    q: [qq[0] / n, qq[1] / n, qq[2] / n, qq[3] / n],
  };
}

/** Column-major 3x3 rotation of a unit quaternion (x, y, z, w). */
export function quaternionToMatrix3(q: ArrayLike<number>): Float64Array {
  const [x, y, z, w] = [q[0], q[1], q[2], q[3]];
  const m = new Float64Array(9);
  m[0] = 1 - 2 * (y * y + z * z);
  m[1] = 2 * (x * y + z * w);
  m[2] = 2 * (x * z - y * w);
  m[3] = 2 * (x * y - z * w);
  m[4] = 1 - 2 * (x * x + z * z);
  m[5] = 2 * (y * z + x * w);
  m[6] = 2 * (x * z + y * w);
  m[7] = 2 * (y * z - x * w);
  m[8] = 1 - 2 * (x * x + y * y);
  return m;
}

function col(m: Float64Array, c: number): Vec3 {
  return [m[c * 3], m[c * 3 + 1], m[c * 3 + 2]];
}

function apply(pose: Pose, r: Float64Array, x: number, y: number, z: number): Vec3 {
  return [
    r[0] * x + r[3] * y + r[6] * z + pose.p[0],
    r[1] * x + r[4] * y + r[7] * z + pose.p[1],
    r[2] * x + r[5] * y + r[8] * z + pose.p[2],
  ];
}

/** base64 -> bytes without Buffer (the browser calls this too). */
function decodeBase64(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string') fail(`${what} must be a base64 string`);
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    fail(`${what} is not valid base64`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function boxFromLocal(pose: Pose, lo: Vec3, hi: Vec3): OrientedBox {
  const r = quaternionToMatrix3(pose.q);
  const c = apply(pose, r, (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2);
  return {
    center: c,
    halfSize: [(hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, (hi[2] - lo[2]) / 2],
    axes: r,
    quaternion: [...pose.q] as Quat,
  };
}

/** World AABB of an oriented box. */
export function boxAabb(b: OrientedBox): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [0, 0, 0];
  const max: Vec3 = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const r = Math.abs(b.axes[k]) * b.halfSize[0] + Math.abs(b.axes[3 + k]) * b.halfSize[1] + Math.abs(b.axes[6 + k]) * b.halfSize[2];
    min[k] = b.center[k] - r;
    max[k] = b.center[k] + r;
  }
  return { min, max };
}

/** Whether a world point lies inside an oriented box grown by margin metres. */
export function boxContains(b: OrientedBox, x: number, y: number, z: number, margin = 0): boolean {
  const dx = x - b.center[0], dy = y - b.center[1], dz = z - b.center[2];
  for (let a = 0; a < 3; a++) {
    const d = dx * b.axes[a * 3] + dy * b.axes[a * 3 + 1] + dz * b.axes[a * 3 + 2];
    if (Math.abs(d) > b.halfSize[a] + margin) return false;
  }
  return true;
}

/**
 * Parses an @iwer/sem capture (the parsed JSON object, e.g. from captures/living_room.json) into a
 * flat triangle scene with per-triangle instance ids and surface classes. Throws on malformed input.
 */
export function loadRoom(json: unknown): RoomScene {
  const root = obj(json, 'room JSON');
  const ents = root.spatialEntities;
  if (!Array.isArray(ents)) fail('room JSON has no spatialEntities array (is this an @iwer/sem capture?)');

  const meshes: { pose: Pose; verts: Float32Array; idx: Uint32Array }[] = [];
  const boxes: { label: string; uuid: string; box: OrientedBox }[] = [];
  const rects: { label: string; uuid: string; pose: Pose; lo: [number, number]; hi: [number, number] }[] = [];

  ents.forEach((raw, i) => {
    const what = `spatialEntities[${i}]`;
    const e = obj(raw, what);
    if (!e.locatable_META) return; // @iwer/sem ignores unlocatable entities too
    const pose = readPose(e, what);
    const label = typeof e.semanticLabel_META === 'string' ? e.semanticLabel_META : 'UNKNOWN';
    const uuid = typeof e.uuid === 'string' ? e.uuid : `entity-${i}`;
    if (e.bounded2D_META) {
      const b = obj(e.bounded2D_META, `${what}.bounded2D_META`);
      const off = obj(b.offset, `${what}.bounded2D_META.offset`);
      const ext = obj(b.extent, `${what}.bounded2D_META.extent`);
      const ox = num(off.x, `${what} offset.x`), oy = num(off.y, `${what} offset.y`);
      const w = num(ext.width, `${what} width`), h = num(ext.height, `${what} height`);
      if (w < 0 || h < 0) fail(`${what} has a negative extent`);
      rects.push({ label, uuid, pose, lo: [ox, oy], hi: [ox + w, oy + h] });
    } else if (e.bounded3D_META) {
      const b = obj(e.bounded3D_META, `${what}.bounded3D_META`);
      const off = obj(b.offset, `${what}.bounded3D_META.offset`);
      const ext = obj(b.extent, `${what}.bounded3D_META.extent`);
      const lo: Vec3 = [num(off.x, `${what} offset.x`), num(off.y, `${what} offset.y`), num(off.z, `${what} offset.z`)];
      const size: Vec3 = [num(ext.width, `${what} width`), num(ext.height, `${what} height`), num(ext.depth, `${what} depth`)];
      if (size.some((s) => s < 0)) fail(`${what} has a negative extent`);
      boxes.push({ label, uuid, box: boxFromLocal(pose, lo, [lo[0] + size[0], lo[1] + size[1], lo[2] + size[2]]) });
    } else if (e.triangleMesh_META) {
      const m = obj(e.triangleMesh_META, `${what}.triangleMesh_META`);
      const vb = decodeBase64(m.vertices, `${what}.triangleMesh_META.vertices`);
      const ib = decodeBase64(m.indices, `${what}.triangleMesh_META.indices`);
      if (vb.length % 12 !== 0) fail(`${what} vertex bytes (${vb.length}) are not a multiple of 12`);
      if (ib.length % 12 !== 0) fail(`${what} index bytes (${ib.length}) are not a multiple of 12`);
      const dv = new DataView(vb.buffer, vb.byteOffset, vb.byteLength);
      const verts = new Float32Array(vb.length / 4);
      for (let k = 0; k < verts.length; k++) {
        verts[k] = dv.getFloat32(k * 4, true);
        if (!Number.isFinite(verts[k])) fail(`${what} vertex component ${k} is not finite`);
      }
      const di = new DataView(ib.buffer, ib.byteOffset, ib.byteLength);
      const idx = new Uint32Array(ib.length / 4);
      const nv = verts.length / 3;
      for (let k = 0; k < idx.length; k++) {
        idx[k] = di.getUint32(k * 4, true);
        if (idx[k] >= nv) fail(`${what} index ${k} = ${idx[k]} is out of range (${nv} vertices)`);
      }
      meshes.push({ pose, verts, idx });
    }
  });
  if (meshes.length === 0) fail('no triangleMesh_META entity (global mesh) found');

  // World-space triangle soup.
  const triangleCount = meshes.reduce((s, m) => s + m.idx.length / 3, 0);
  if (triangleCount > 0xffffff) fail(`too many triangles (${triangleCount})`);
  const positions = new Float32Array(triangleCount * 9);
  let t = 0;
  for (const m of meshes) {
    const r = quaternionToMatrix3(m.pose.q);
    for (let k = 0; k < m.idx.length; k++) {
      const v = m.idx[k] * 3;
      const w = apply(m.pose, r, m.verts[v], m.verts[v + 1], m.verts[v + 2]);
      positions[t++] = w[0];
      positions[t++] = w[1];
      positions[t++] = w[2];
    }
  }
  const boundsMin: Vec3 = [Infinity, Infinity, Infinity];
  const boundsMax: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let k = 0; k < positions.length; k += 3)
    for (let a = 0; a < 3; a++) {
      if (positions[k + a] < boundsMin[a]) boundsMin[a] = positions[k + a];
      if (positions[k + a] > boundsMax[a]) boundsMax[a] = positions[k + a];
    }

  // Structure planes and object list.
  const planes: RoomPlane[] = [];
  const objects: RoomObject[] = [];
  const pushObject = (label: string, uuid: string, source: 'box' | 'plane', box: OrientedBox) => {
    if (objects.length >= 0xfffe) fail('too many objects for 16-bit ids');
    const { min, max } = boxAabb(box);
    objects.push({ id: objects.length + 1, label, uuid, source, box, aabbMin: min, aabbMax: max, triangleCount: 0 });
  };
  for (const b of boxes) pushObject(b.label, b.uuid, 'box', b.box);
  for (const rc of rects) {
    const r = quaternionToMatrix3(rc.pose.q);
    const surface = STRUCTURE_LABELS[rc.label];
    if (surface !== undefined) {
      planes.push({
        label: rc.label,
        surface,
        origin: [...rc.pose.p] as Vec3,
        axisU: col(r, 0),
        axisV: col(r, 2),
        normal: col(r, 1),
        uMin: rc.lo[0],
        uMax: rc.hi[0],
        vMin: rc.lo[1],
        vMax: rc.hi[1],
      });
      continue;
    }
    // A 2D TABLE / COUCH / ... rectangle is the top face of the 3D box with the same label.
    const centre = apply(rc.pose, r, (rc.lo[0] + rc.hi[0]) / 2, 0, (rc.lo[1] + rc.hi[1]) / 2);
    if (boxes.some((b) => b.label === rc.label && boxContains(b.box, centre[0], centre[1], centre[2], 0.1))) continue;
    const box = boxFromLocal(rc.pose, [rc.lo[0], -PLANE_OBJECT_HALF_THICKNESS, rc.lo[1]], [rc.hi[0], PLANE_OBJECT_HALF_THICKNESS, rc.hi[1]]);
    pushObject(rc.label, rc.uuid, 'plane', box);
  }
  // Sorting by box first, then planes, keeps ids stable; objects[i].id === i + 1.

  const floorPlane = planes.find((p) => p.surface === SURFACE_FLOOR);
  const ceilPlane = planes.find((p) => p.surface === SURFACE_CEILING);
  const floorY = floorPlane ? floorPlane.origin[1] : boundsMin[1];
  const ceilingY = ceilPlane ? ceilPlane.origin[1] : boundsMax[1];

  const volume = objects.map((o) => o.box.halfSize[0] * o.box.halfSize[1] * o.box.halfSize[2]);
  const order = objects.map((_, i) => i).sort((a, b) => volume[a] - volume[b] || a - b);

  const objectId = new Uint16Array(triangleCount);
  const surface = new Uint8Array(triangleCount);
  for (let i = 0; i < triangleCount; i++) {
    const o = i * 9;
    const ax = positions[o], ay = positions[o + 1], az = positions[o + 2];
    const e1x = positions[o + 3] - ax, e1y = positions[o + 4] - ay, e1z = positions[o + 5] - az;
    const e2x = positions[o + 6] - ax, e2y = positions[o + 7] - ay, e2z = positions[o + 8] - az;
    let nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    const nl = Math.hypot(nx, ny, nz);
    if (nl > 0) {
      nx /= nl;
      ny /= nl;
      nz /= nl;
    }
    const cx = ax + (e1x + e2x) / 3, cy = ay + (e1y + e2y) / 3, cz = az + (e1z + e2z) / 3;
    let cls = SURFACE_OTHER;
    if (nl > 0)
      for (const p of planes) {
        const cos = Math.abs(nx * p.normal[0] + ny * p.normal[1] + nz * p.normal[2]);
        if (cos < 0.9) continue;
        const dx = cx - p.origin[0], dy = cy - p.origin[1], dz = cz - p.origin[2];
        if (Math.abs(dx * p.normal[0] + dy * p.normal[1] + dz * p.normal[2]) > STRUCTURE_DISTANCE) continue;
        const u = dx * p.axisU[0] + dy * p.axisU[1] + dz * p.axisU[2];
        const v = dx * p.axisV[0] + dy * p.axisV[1] + dz * p.axisV[2];
        if (u < p.uMin - 0.1 || u > p.uMax + 0.1 || v < p.vMin - 0.1 || v > p.vMax + 0.1) continue;
        cls = p.surface;
        break;
      }
    surface[i] = cls;
    // A horizontal triangle at the bottom of a box is what the object stands on (the table top
    // under a lamp), not the object itself.
    const flat = nl > 0 && Math.abs(ny) > 0.9;
    for (const k of order) {
      const ob = objects[k];
      if (cls !== SURFACE_OTHER && ob.source === 'box') continue;
      if (flat && ob.source === 'box' && cy < ob.aabbMin[1] + SUPPORT_BAND) continue;
      if (boxContains(ob.box, cx, cy, cz, BOX_MARGIN)) {
        objectId[i] = ob.id;
        break;
      }
    }
  }

  growIntoNeighbours(meshes, positions, objectId, surface, objects);
  for (const ob of objects) ob.triangleCount = 0;
  for (let i = 0; i < triangleCount; i++) if (objectId[i]) objects[objectId[i] - 1].triangleCount++;

  return { positions, triangleCount, objectId, surface, objects, planes, boundsMin, boundsMax, floorY, ceilingY };
}

/**
 * Scanned objects stick out of their Space Setup boxes (a lampshade wider than its box): an
 * unlabelled, non-structural triangle that shares a vertex with a box object's triangle and lies
 * within GROW_MARGIN of that box joins the object; repeated breadth-first (deterministic order).
 */
function growIntoNeighbours(
  meshes: { idx: Uint32Array; verts: Float32Array }[],
  positions: Float32Array,
  objectId: Uint16Array,
  surface: Uint8Array,
  objects: RoomObject[],
): void {
  const triangleCount = objectId.length;
  const triVert = new Uint32Array(triangleCount * 3);
  let nVerts = 0, t3 = 0;
  for (const m of meshes) {
    for (let k = 0; k < m.idx.length; k++) triVert[t3++] = m.idx[k] + nVerts;
    nVerts += m.verts.length / 3;
  }
  const start = new Uint32Array(nVerts + 1);
  for (let k = 0; k < triVert.length; k++) start[triVert[k] + 1]++;
  for (let v = 0; v < nVerts; v++) start[v + 1] += start[v];
  const fill = start.slice(0, nVerts);
  const adj = new Uint32Array(triVert.length);
  for (let k = 0; k < triVert.length; k++) adj[fill[triVert[k]]++] = (k / 3) | 0;

  const queue: number[] = [];
  for (let i = 0; i < triangleCount; i++) if (objectId[i] && objects[objectId[i] - 1].source === 'box') queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const t = queue[head];
    const id = objectId[t];
    const box = objects[id - 1].box;
    for (let c = 0; c < 3; c++) {
      const v = triVert[t * 3 + c];
      for (let a = start[v]; a < start[v + 1]; a++) {
        const u = adj[a];
        if (objectId[u] || surface[u] !== SURFACE_OTHER) continue;
        const o = u * 9;
        const cx = (positions[o] + positions[o + 3] + positions[o + 6]) / 3;
        const cy = (positions[o + 1] + positions[o + 4] + positions[o + 7]) / 3;
        const cz = (positions[o + 2] + positions[o + 5] + positions[o + 8]) / 3;
        if (!boxContains(box, cx, cy, cz, GROW_MARGIN)) continue;
        objectId[u] = id;
        queue.push(u);
      }
    }
  }
}
