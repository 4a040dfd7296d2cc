/**
 * Identifiers of a shared scene and their validation.
 *
 * - scene id: 16 random bytes as 32 lowercase hex characters. Generated here, never taken from a
 *   request, and checked by SCENE_ID_RE before it becomes part of a file name.
 * - code: 6 characters from a 32-letter alphabet without 0/O and 1/I (read aloud or typed on a
 *   headset keyboard); 5 random bits per character, so 2^30 codes and no modulo bias. A code only
 *   finds a scene; the token is what grants access.
 * - token: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored. A token of 256
 *   random bits needs no salt or slow hash: nothing about it can be guessed from its digest.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 6;
export const SCENE_ID_RE = /^[0-9a-f]{32}$/;
export const CODE_RE = /^[2-9A-HJ-NP-Z]{6}$/;
export const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export type RandomBytes = (n: number) => Uint8Array;

export function newSceneId(rand: RandomBytes = randomBytes): string {
  return Buffer.from(rand(16)).toString('hex');
}

export function newCode(rand: RandomBytes = randomBytes): string {
  const b = rand(CODE_LENGTH);
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[b[i] & 31];
  return s;
}

export function newToken(rand: RandomBytes = randomBytes): string {
  return Buffer.from(rand(32)).toString('base64url');
}

export function isSceneId(v: unknown): v is string {
  return typeof v === 'string' && SCENE_ID_RE.test(v);
}

/**
 * The canonical form of a user-typed code, or null if it cannot be one. Case is folded (people
 * type codes in lower case); nothing else is rewritten, so "../" or "%2e" never becomes valid.
 */
export function normaliseCode(v: unknown): string | null {
  if (typeof v !== 'string' || v.length !== CODE_LENGTH) return null;
  const up = v.toUpperCase();
  return CODE_RE.test(up) ? up : null;
}

export function isToken(v: unknown): v is string {
  return typeof v === 'string' && TOKEN_RE.test(v);
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time comparison of a presented token with a stored digest. */
export function tokenMatches(token: string, storedHash: Uint8Array): boolean {
  const h = hashToken(token);
  // Lengths are public (always 32); timingSafeEqual throws on a mismatch, which a corrupt row could cause.
  if (storedHash.byteLength !== h.byteLength) return false;
  return timingSafeEqual(h, storedHash);
}
