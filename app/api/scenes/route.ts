/**
 * POST /api/scenes: upload a scene (raw .glb or compact body) -> 201 { id, code, token }.
 * GET  /api/scenes: the bearer token's scenes. Logic lives in lib/share (docs/SHARING.md).
 */
import { getSceneStore } from '@/lib/share/default-scene-store';
import { handleCreateScene, handleListScenes } from '@/lib/share/share-http';

// SQLite and the file system: Node only, and every request is live (never prerendered or cached).
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function POST(req: Request): Promise<Response> {
  return handleCreateScene(req, getSceneStore);
}

export function GET(req: Request): Promise<Response> {
  return handleListScenes(req, getSceneStore);
}
