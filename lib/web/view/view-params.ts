/**
 * Where /view gets its scene from, read from the page URL:
 *   /view?code=ABC123#token=...   a shared scene (the token stays in the fragment: never sent to the
 *                                 server in the request line, so it is not in access logs)
 *   /view?sample=1                the bundled sample capture (also the default with no code)
 *   /view?capture=/path/          a same-origin capture bundle folder (lib/web/page-params.ts)
 * Test-only: `models=/test-models/` (lib/web/page-params.ts readModelsParam).
 */
import { readModelsParam, readScenePageParams, type ScenePageParams } from '../page-params';

/** Share codes: 6 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ (docs/SHARING.md), case-insensitive. */
export const SHARE_CODE_RE = /^[2-9A-HJ-NP-Z]{6}$/;
/** Tokens: 32 random bytes as base64url (43 characters). */
export const SHARE_TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export interface ViewParams extends ScenePageParams {
  code: string | null;
  token: string | null;
  /** Base URL of the model manifest and files. */
  modelsBase: string;
  /** True when `models=` was given (test stand-ins are allowed only then). */
  testModels: boolean;
}

/** Upper-cases and checks a typed code; returns null with no error for an empty string. */
export function normalizeShareCode(raw: string): string {
  const code = raw.trim().toUpperCase();
  if (!SHARE_CODE_RE.test(code)) throw new Error(`"${raw.trim()}" is not a scene code: 6 letters and digits (no 0, O, 1 or I), like H5P5NG`);
  return code;
}

export function normalizeShareToken(raw: string): string {
  const token = raw.trim();
  if (!SHARE_TOKEN_RE.test(token)) throw new Error('the token must be the 43-character secret shown with the code (letters, digits, - and _)');
  return token;
}

export function readViewParams(search: string, hash: string): ViewParams {
  const base = readScenePageParams(search);
  const p = new URLSearchParams(search);
  const h = new URLSearchParams(hash.replace(/^#/, ''));
  const rawCode = p.get('code');
  const rawToken = h.get('token') ?? p.get('token');
  const code = rawCode ? normalizeShareCode(rawCode) : null;
  const token = rawToken ? normalizeShareToken(rawToken) : null;
  return { ...base, code, token, ...readModelsParam(search) };
}
