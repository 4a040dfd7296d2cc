/**
 * Finish -> "Share": uploads the .glb to POST /api/scenes (docs/SHARING.md) with retries, progress and
 * cancel (lib/web/share-transfer.ts), and builds the /view link.
 */
import qrcode from 'qrcode-generator';
import { uploadScene, type TransferOptions } from '../share-transfer';

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

export async function shareScene(glb: Uint8Array, origin: string, opts: TransferOptions = {}): Promise<SharedScene> {
  const r = await uploadScene(glb, opts);
  return { code: r.code, token: r.token, expiresAt: r.expiresAt, viewUrl: viewUrlFor(origin, r.code, r.token) };
}

/** The URL as an SVG QR code (error correction M). */
export function qrSvg(text: string, cellSize = 4): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize, margin: 2, scalable: true });
}
