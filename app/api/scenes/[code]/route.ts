/**
 * GET    /api/scenes/{code} (Authorization: Bearer <token>): the scene file.
 * HEAD   /api/scenes/{code}: the same headers, no body.
 * DELETE /api/scenes/{code} (Authorization: Bearer <token>): 204.
 * Unknown code, wrong token and expired all answer 404. Logic lives in lib/share.
 */
import { getSceneStore } from '@/lib/share/default-scene-store';
import { handleDeleteScene, handleGetScene, handleHeadScene } from '@/lib/share/share-http';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ code: string }> };

export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  return handleGetScene(req, getSceneStore, (await ctx.params).code);
}

// Explicit, so a HEAD releases the opened file instead of leaving an unread body behind.
export async function HEAD(req: Request, ctx: Ctx): Promise<Response> {
  return handleHeadScene(req, getSceneStore, (await ctx.params).code);
}

export async function DELETE(req: Request, ctx: Ctx): Promise<Response> {
  return handleDeleteScene(req, getSceneStore, (await ctx.params).code);
}
