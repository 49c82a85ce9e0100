import { hash } from 'node:crypto';
import type { PooledResponse } from './pooled-fetch.js';

/**
 * What a provider derived from an answer (the heads of a branch page, one branch's head), kept
 * beside the digest of the bytes it came from. Forges that answer no conditional requests on
 * branches (GitLab, Gitea) send the same bytes again while nothing moved; an answer whose digest
 * is the kept one gives the kept value without being decoded, parsed and checked again.
 */
export interface KnownAnswer<T> {
  digest: string;
  value: T;
}

/** The body as bytes and their digest; the text only when the digest is not `seen`. */
export interface DigestedBody {
  digest: string;
  /** The body decoded as UTF-8, or undefined when its digest is `seen` (the same bytes as then). */
  text: string | undefined;
}

/**
 * Reads an answer's body for a caller that kept what the last one gave (see {@link KnownAnswer}).
 * SHA-256 of a 8 KB page costs about a quarter of `JSON.parse` of it on the bench machine, and
 * the parsed objects (a GitLab branch carries its whole commit) are garbage a poll no longer makes.
 */
export async function readDigested(response: Response, seen: string | undefined): Promise<DigestedBody> {
  // The pooled fetch hands its bytes over as they are; `arrayBuffer()` would copy every answer.
  const { bytes: read } = response as Pick<PooledResponse, 'bytes'>;
  const body =
    typeof read === 'function' ? await read.call(response) : new Uint8Array(await response.arrayBuffer());
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const digest = hash('sha256', bytes, 'base64');
  return { digest, text: digest === seen ? undefined : bytes.toString('utf8') };
}
