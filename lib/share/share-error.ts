/**
 * The one error type the sharing layer throws for a request it refuses. It carries the HTTP status
 * and a stable machine-readable reason so route handlers stay a thin mapping, and so a client can
 * branch on `error` without parsing the message.
 */
export type ShareErrorReason =
  | 'too_large' // 413
  | 'invalid_scene' // 400: bytes are not a scene file we accept
  | 'bad_request' // 400: malformed header or empty body
  | 'unsupported_media_type' // 415
  | 'unauthorized' // 401: no or malformed bearer token
  | 'not_found' // 404: unknown code, wrong token or expired
  | 'busy' // 503: the upload queue is full or the wait for a slot ran out (Retry-After)
  | 'insufficient_storage'; // 507: the disk has no room for the upload

const STATUS: Record<ShareErrorReason, number> = {
  too_large: 413,
  invalid_scene: 400,
  bad_request: 400,
  unsupported_media_type: 415,
  unauthorized: 401,
  not_found: 404,
  busy: 503,
  insufficient_storage: 507,
};

export class ShareError extends Error {
  readonly status: number;
  constructor(
    readonly reason: ShareErrorReason,
    message: string,
    /** For 503: seconds a client should wait before retrying (the Retry-After header). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ShareError';
    this.status = STATUS[reason];
  }
}

/** One message for every "does not exist / not yours / expired" case, so they are indistinguishable. */
export const NOT_FOUND_MESSAGE = 'no scene with this code for this token (unknown, expired or deleted)';

export const notFound = (): ShareError => new ShareError('not_found', NOT_FOUND_MESSAGE);
