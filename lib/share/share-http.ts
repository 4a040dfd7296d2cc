/**
 * HTTP mapping of the SceneStore, written against the Fetch API (Request -> Response) so the
 * Next.js route handlers in app/api/scenes are one line each and tests call these directly.
 *
 * Status codes: 201 created, 200 list/file, 204 deleted; 400 invalid (JSON names the problem),
 * 401 no or malformed bearer token, 404 unknown code / wrong token / expired (never 403: a wrong
 * token must not confirm that a code exists), 413 too large, 415 wrong Content-Type, 503 busy.
 */
import { parseContentLength } from './bounded-body';
import { ShareError, notFound } from './share-error';
import { isToken } from './share-ids';
import { CONTENT_TYPE, FILE_EXTENSION } from './scene-validation';
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
    if (e.status === 503) extra['Retry-After'] = '5';
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
    const r = await s.create({ body: req.body, declaredLength, token });
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

/** GET /api/scenes/{code}: the file itself. */
export async function handleGetScene(req: Request, store: StoreArg, code: string): Promise<Response> {
  try {
    const token = requireToken(req);
    const f = await (await resolveStore(store)).get(code, token);
    if (!f) throw notFound();
    const digest = Buffer.from(f.info.sha256, 'hex').toString('base64');
    return new Response(f.body, {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPE[f.info.format],
        'Content-Length': String(f.size),
        // Next.js 16 drops Content-Length from route-handler responses (sends chunked), so the
        // size also travels here for progress bars and a pre-download memory check.
        'X-Scene-Bytes': String(f.size),
        'Content-Disposition': `attachment; filename="scene-${f.info.code}${FILE_EXTENSION[f.info.format]}"`,
        'Repr-Digest': `sha-256=:${digest}:`,
        'X-Scene-Format': f.info.format,
        'X-Scene-Gaussians': String(f.info.gaussians),
        ...NO_STORE,
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}

/** HEAD /api/scenes/{code}: GET's status and headers, with the file released at once. */
export async function handleHeadScene(req: Request, store: StoreArg, code: string): Promise<Response> {
  const res = await handleGetScene(req, store, code);
  await res.body?.cancel().catch(() => {});
  return new Response(null, { status: res.status, headers: res.headers });
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
