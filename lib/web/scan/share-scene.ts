/** Finish -> "Share": uploads the .glb to POST /api/scenes (docs/SHARING.md) and builds the /view link. */
import qrcode from 'qrcode-generator';

export interface SharedScene {
  code: string;
  token: string;
  expiresAt: string;
  /** Absolute /view URL that opens the shared scene. */
  viewUrl: string;
}

export function viewUrlFor(origin: string, code: string, token: string): string {
  // The token rides in the fragment, which browsers never send to a server (lib/web/view/view-params.ts).
  return `${origin}/view?code=${encodeURIComponent(code)}#token=${encodeURIComponent(token)}`;
}

export async function shareScene(glb: Uint8Array, origin: string, fetchFn: typeof fetch = fetch): Promise<SharedScene> {
  const res = await fetchFn('/api/scenes', { method: 'POST', headers: { 'content-type': 'model/gltf-binary' }, body: glb as unknown as BodyInit });
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // Reported below with the status.
  }
  if (!res.ok) throw new Error(`sharing failed (HTTP ${res.status}): ${String(body.message ?? body.error ?? 'no message')}`);
  const code = String(body.code ?? ''), token = String(body.token ?? '');
  if (!code || !token) throw new Error('sharing failed: the server answered without a code or token');
  return { code, token, expiresAt: String(body.expiresAt ?? ''), viewUrl: viewUrlFor(origin, code, token) };
}

/** The URL as an SVG QR code (error correction M). */
export function qrSvg(text: string, cellSize = 4): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize, margin: 2, scalable: true });
}
