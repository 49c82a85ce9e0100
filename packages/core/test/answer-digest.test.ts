import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { readDigested } from '../src/http/answer-digest.js';

const BODY = '[{"name":"main","commit":{"id":"abc"}}]';
const DIGEST = createHash('sha256').update(BODY).digest('base64');

describe('readDigested', () => {
  it('reads a fetch Response: the digest of its bytes, and the text when the digest is new', async () => {
    expect(await readDigested(new Response(BODY), undefined)).toEqual({ digest: DIGEST, text: BODY });
    expect(await readDigested(new Response(BODY), DIGEST)).toEqual({ digest: DIGEST, text: undefined });
  });

  it("takes the pooled fetch's bytes as they are, without arrayBuffer()'s copy", async () => {
    const bytes = Buffer.from(`padding${BODY}`).subarray('padding'.length);
    const arrayBuffer = vi.fn();
    const response = { bytes: async () => bytes, arrayBuffer } as unknown as Response;
    expect(await readDigested(response, undefined)).toEqual({ digest: DIGEST, text: BODY });
    expect(arrayBuffer).not.toHaveBeenCalled();
  });
});
