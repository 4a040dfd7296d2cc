/**
 * HTTP mapping of the SceneStore, written against the Fetch API (Request -> Response) so the
 * Next.js route handlers in app/api/scenes are one line each and tests call these directly.
 *
 * Status codes: 201 created, 200 list/file, 204 deleted; 400 invalid (JSON names the problem),
 * 401 no or malformed bearer token, 404 unknown code / wrong token / expired (never 403: a wrong
 * token must not confirm that a code exists), 413 too large, 415 wrong Content-Type, 416 bad Range,
 * 503 busy (queue full or wait ran out, with Retry-After), 507 no disk space.
 */
import { parseContentLength } from './bounded-body';
import { ShareError, notFound } from './share-error';
import { isToken } from './share-ids';
import { CONTENT_TYPE, FILE_EXTENSION } from './scene-validation';
import type { ByteRange } from './blob-store';
import type { SceneStore, SharedSceneInfo } from './scene-store';

export const ACCEPTED_UPLOAD_TYPES = ['application/octet-stream', 'model/gltf-binary'];

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

type StoreArg = SceneStore | Promise<SceneStore> | (() => Promise<SceneStore>);

async function resolveStore(s: StoreArg): Promise<SceneStore> {
  return typeof s === 'function' ? s() : s;
}

export function jsonResponse(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE, ...extra } });
}

function errorResponse(e: unknown): Response {
  if (e instanceof ShareError) {
    const extra: Record<string, string> = {};
    if (e.status === 401) extra['WWW-Authenticate'] = 'Bearer';
    if (e.status === 503) extra['Retry-After'] = String(e.retryAfterS ?? 5);
    return jsonResponse(e.status, { error: e.reason, message: e.message }, extra);
  }
  console.error('[share] internal error:', e);
  return jsonResponse(500, { error: 'internal', message: 'internal server error' });
}

/**
 * The bearer token, or null when there is no Authorization header. A header that is present but
 * not "Bearer <43 base64url chars>" is a 401 rather than a silent anonymous request.
 */
export function bearerToken(req: Request): string | null {
  const h = req.headers.get('authorization');
  if (h === null) return null;
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(h);
  if (!m || !isToken(m[1])) throw new ShareError('unauthorized', 'malformed Authorization header: expected "Bearer <token>" with the token returned at upload');
  return m[1];
}

function requireToken(req: Request): string {
  const t = bearerToken(req);
  if (t === null) throw new ShareError('unauthorized', 'missing Authorization: Bearer <token>');
  return t;
}

function publicInfo(s: SharedSceneInfo) {
  return {
    id: s.id,
    code: s.code,
    format: s.format,
    bytes: s.bytes,
    gaussians: s.gaussians,
    sha256: s.sha256,
    createdAt: new Date(s.createdAt).toISOString(),
    expiresAt: new Date(s.expiresAt).toISOString(),
  };
}

/** POST /api/scenes: body = the scene file. */
export async function handleCreateScene(req: Request, store: StoreArg): Promise<Response> {
  try {
    const type = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    // No Content-Type is tolerated (a bare fetch of a Uint8Array sends none); a wrong one is not.
    if (type !== '' && !ACCEPTED_UPLOAD_TYPES.includes(type))
      throw new ShareError('unsupported_media_type', `Content-Type "${type.slice(0, 80)}" not accepted: send the raw file as ${ACCEPTED_UPLOAD_TYPES.join(' or ')}`);
    const declaredLength = parseContentLength(req.headers.get('content-length'));
    const token = bearerToken(req);
    const s = await resolveStore(store);
    const r = await s.create({ body: req.body, declaredLength, token, signal: req.signal });
    return jsonResponse(201, { id: r.id, code: r.code, token: r.token, expiresAt: new Date(r.expiresAt).toISOString() }, { Location: `/api/scenes/${r.code}` });
  } catch (e) {
    // Leave no unread upload behind on a refusal (413 mid-stream cancels already; this covers the rest).
    if (req.body && !req.bodyUsed) await req.body.cancel().catch(() => {});
    return errorResponse(e);
  }
}

/** GET /api/scenes: the caller's scenes (by bearer token). */
export async function handleListScenes(req: Request, store: StoreArg): Promise<Response> {
  try {
    const token = requireToken(req);
    const scenes = await (await resolveStore(store)).list(token);
    return jsonResponse(200, { scenes: scenes.map(publicInfo) });
  } catch (e) {
    return errorResponse(e);
  }
}

/**
 * One `bytes=` range of a Range header against a file of `size` bytes (RFC 9110 14.1.2):
 * `a-b`, `a-` and `-n` (the last n bytes). null = serve the whole file (no header, another unit,
 * or several ranges, which a server may ignore); 'unsatisfiable' = 416.
 */
export function parseRange(header: string | null, size: number): ByteRange | null | 'unsatisfiable' {
  if (header === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || (m[2] !== '' && Number(m[2]) < start)) return 'unsatisfiable';
  return { start, end };
}

function fileHeaders(info: SharedSceneInfo): Record<string, string> {
  const digest = Buffer.from(info.sha256, 'hex').toString('base64');
  return {
    'Content-Type': CONTENT_TYPE[info.format],
    'Content-Length': String(info.bytes),
    // Next.js 16 drops Content-Length from route-handler responses (sends chunked), so the
    // size also travels here for progress bars and a pre-download memory check.
    'X-Scene-Bytes': String(info.bytes),
    'Accept-Ranges': 'bytes',
    // The stored bytes never change for a code: the digest is a strong validator (If-Range).
    ETag: `"${info.sha256}"`,
    'Content-Disposition': `attachment; filename="scene-${info.code}${FILE_EXTENSION[info.format]}"`,
    'Repr-Digest': `sha-256=:${digest}:`,
    'X-Scene-Format': info.format,
    'X-Scene-Gaussians': String(info.gaussians),
    ...NO_STORE,
  };
}

/** GET /api/scenes/{code}: the file itself, or one byte range of it (206) for a resumed download. */
export async function handleGetScene(req: Request, store: StoreArg, code: string): Promise<Response> {
  try {
    const token = requireToken(req);
    const rangeHeader = req.headers.get('range');
    const ifRange = req.headers.get('if-range');
    let unsatisfiable = false;
    const f = await (await resolveStore(store)).get(code, token, (size) => {
      const r = parseRange(rangeHeader, size);
      if (r === 'unsatisfiable') {
        unsatisfiable = true;
        return { start: 0, end: -1 };
      }
      return r;
    });
    if (!f) throw notFound();
    const headers = fileHeaders(f.info);
    if (unsatisfiable) {
      await f.body.cancel().catch(() => {});
      return jsonResponse(416, { error: 'range_not_satisfiable', message: `Range "${String(rangeHeader).slice(0, 80)}" lies outside the ${f.size}-byte file` }, { 'Content-Range': `bytes */${f.size}` });
    }
    // If-Range naming another representation: the whole file, as RFC 9110 13.1.5 says.
    if (f.range && (ifRange === null || ifRange === headers.ETag)) {
      const len = f.range.end - f.range.start + 1;
      return new Response(f.body, {
        status: 206,
        headers: { ...headers, 'Content-Length': String(len), 'Content-Range': `bytes ${f.range.start}-${f.range.end}/${f.size}`, 'X-Scene-Range-Bytes': String(len) },
      });
    }
    if (f.range) {
      await f.body.cancel().catch(() => {});
      const whole = await (await resolveStore(store)).get(code, token);
      if (!whole) throw notFound();
      return new Response(whole.body, { status: 200, headers });
    }
    return new Response(f.body, { status: 200, headers });
  } catch (e) {
    return errorResponse(e);
  }
}

/** HEAD /api/scenes/{code}: GET's status and headers from the metadata row alone (no file opened). */
export async function handleHeadScene(req: Request, store: StoreArg, code: string): Promise<Response> {
  try {
    const token = requireToken(req);
    const info = await (await resolveStore(store)).head(code, token);
    if (!info) throw notFound();
    return new Response(null, { status: 200, headers: fileHeaders(info) });
  } catch (e) {
    const res = errorResponse(e);
    return new Response(null, { status: res.status, headers: res.headers });
  }
}

/** DELETE /api/scenes/{code}. */
export async function handleDeleteScene(req: Request, store: StoreArg, code: string): Promise<Response> {
  try {
    const token = requireToken(req);
    if (!(await (await resolveStore(store)).delete(code, token))) throw notFound();
    return new Response(null, { status: 204, headers: NO_STORE });
  } catch (e) {
    return errorResponse(e);
  }
}
