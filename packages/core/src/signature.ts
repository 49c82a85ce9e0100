import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of a body: what GitHub, Gitea and sentry-git's own notifications sign with. */
export function hmacSha256(secret: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function hmacSha256Hex(secret: string, body: Buffer | string): string {
  return hmacSha256(secret, body).toString('hex');
}

/**
 * Constant-time equality of two secrets or signatures. Both sides are hashed first, so the
 * comparison takes the same time whatever the inputs' lengths and says nothing about either.
 */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const digest = (value: Buffer | string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
