import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { WebhookResult } from '@sentry-git/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { giteaProvider, parseGiteaWebhook, verifySignature } from '../src/index.js';

const SECRET = 'webhook-secret-for-tests';
const ZERO = '0000000000000000000000000000000000000000';
let push: Buffer;
let deletion: Buffer;

beforeAll(async () => {
  push = await readFile(new URL('./fixtures/gitea-push.json', import.meta.url));
  deletion = await readFile(new URL('./fixtures/gitea-delete.json', import.meta.url));
});

function hmac(body: Buffer, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** The headers Gitea sends with a delivery (services/webhook/deliver.go), signed with `secret`. */
function delivery(body: Buffer, event = 'push', secret = SECRET): Record<string, string> {
  const signature = hmac(body, secret);
  return {
    'content-type': 'application/json',
    'user-agent': 'Go-http-client/1.1',
    'x-github-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
    'x-github-event': event,
    'x-github-event-type': event,
    'x-gitea-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
    'x-gitea-event': event,
    'x-gitea-event-type': event,
    'x-gitea-signature': signature,
    'x-gogs-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
    'x-gogs-event': event,
    'x-gogs-event-type': event,
    'x-gogs-signature': signature,
    'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
    'x-hub-signature-256': `sha256=${signature}`,
  };
}

function only(headers: Record<string, string>, ...keep: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => keep.includes(key)));
}

function variant(change: (payload: Record<string, unknown>) => void): Buffer {
  const payload = JSON.parse(push.toString('utf8')) as Record<string, unknown>;
  change(payload);
  return Buffer.from(JSON.stringify(payload, null, 2));
}

function refused(result: WebhookResult): { status: number; reason: string } {
  expect(result.ok).toBe(false);
  return result as { ok: false; status: number; reason: string };
}

describe('parseWebhook', () => {
  it('is the provider method', () => {
    expect(giteaProvider.parseWebhook).toBe(parseGiteaWebhook);
  });

  it('checks the known-answer vector in both signature forms', () => {
    const body = Buffer.from('Hello, World!');
    const hex = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(
      verifySignature({ 'x-hub-signature-256': `sha256=${hex}` }, body, "It's a Secret to Everybody"),
    ).toBeNull();
    expect(verifySignature({ 'x-gitea-signature': hex }, body, "It's a Secret to Everybody")).toBeNull();
    expect(verifySignature({ 'x-gitea-signature': hex }, body, 'another secret')).toMatch(
      /X-Gitea-Signature/,
    );
  });

  it('reads a signed Gitea push: clone URL, branch, before and after', () => {
    expect(parseGiteaWebhook(delivery(push), push, SECRET)).toEqual({
      ok: true,
      push: {
        repoUrl: 'https://gitea.example.com/team/app.git',
        branch: 'main',
        before: 'e138c6eb710bbef41f93c1d503d482118a3ba5ef',
        after: 'bf0808610d3eb0820ed5dcca9d8e28e87440eff9',
      },
    });
  });

  it('accepts either signature header alone, and Forgejo’s', () => {
    const headers = delivery(push);
    expect(parseGiteaWebhook(only(headers, 'x-gitea-event', 'x-gitea-signature'), push, SECRET).ok).toBe(
      true,
    );
    expect(parseGiteaWebhook(only(headers, 'x-github-event', 'x-hub-signature-256'), push, SECRET).ok).toBe(
      true,
    );
    const forgejo = { 'X-Forgejo-Event': 'push', 'X-Forgejo-Signature': hmac(push) };
    expect(parseGiteaWebhook(forgejo, push, SECRET).ok).toBe(true);
  });

  it('refuses a wrong, tampered, malformed or half-wrong signature with 401', () => {
    const wrongSecret = refused(parseGiteaWebhook(delivery(push, 'push', 'not-the-secret'), push, SECRET));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.reason).toContain('X-Gitea-Signature');

    const tampered = Buffer.from(push.toString('utf8').replace('refs/heads/main', 'refs/heads/prod'));
    expect(refused(parseGiteaWebhook(delivery(push), tampered, SECRET)).status).toBe(401);

    const malformed = { ...delivery(push), 'x-gitea-signature': 'not-hex' };
    expect(refused(parseGiteaWebhook(malformed, push, SECRET)).status).toBe(401);

    const halfWrong = { ...delivery(push), 'x-hub-signature-256': `sha256=${hmac(push, 'other')}` };
    const half = refused(parseGiteaWebhook(halfWrong, push, SECRET));
    expect(half.status).toBe(401);
    expect(half.reason).toContain('X-Hub-Signature-256');

    const bare = { ...delivery(push), 'x-hub-signature-256': hmac(push) };
    expect(refused(parseGiteaWebhook(bare, push, SECRET)).status).toBe(401);

    // What Gitea sends for a webhook that has no secret (services/webhook/deliver.go).
    const noSecret = {
      ...delivery(push),
      'x-gitea-signature': '',
      'x-gogs-signature': '',
      'x-hub-signature-256': 'sha256=',
    };
    const empty = refused(parseGiteaWebhook(noSecret, push, SECRET));
    expect(empty.status).toBe(401);
    expect(empty.reason).toContain('no secret');

    const repeated = { ...delivery(push), 'x-gitea-signature': [hmac(push), hmac(push)] };
    expect(refused(parseGiteaWebhook(repeated, push, SECRET)).status).toBe(401);
  });

  it('refuses an unsigned delivery with 401 when a secret is set, accepts it without one', () => {
    const unsigned = only(delivery(push), 'x-gitea-event', 'x-github-event');
    const result = refused(parseGiteaWebhook(unsigned, push, SECRET));
    expect(result.status).toBe(401);
    expect(result.reason).toContain('not signed');
    expect(parseGiteaWebhook(unsigned, push, undefined).ok).toBe(true);
  });

  it('a push with after all zeros is a deleted branch, before all zeros a created one', () => {
    const deleted = variant((p) => {
      p.ref = 'refs/heads/feature/#123';
      p.before = p.after;
      p.after = ZERO;
      p.commits = [];
      p.head_commit = null;
    });
    expect(parseGiteaWebhook(delivery(deleted), deleted, SECRET)).toEqual({
      ok: true,
      push: {
        repoUrl: 'https://gitea.example.com/team/app.git',
        branch: 'feature/#123',
        before: 'bf0808610d3eb0820ed5dcca9d8e28e87440eff9',
        after: null,
      },
    });

    const created = variant((p) => {
      p.before = ZERO;
    });
    expect(parseGiteaWebhook(delivery(created), created, SECRET)).toMatchObject({
      ok: true,
      push: { branch: 'main', before: null, after: 'bf0808610d3eb0820ed5dcca9d8e28e87440eff9' },
    });
  });

  it('reads Gitea’s own branch deletion, a `delete` event, as a deleted branch', () => {
    expect(parseGiteaWebhook(delivery(deletion, 'delete'), deletion, SECRET)).toEqual({
      ok: true,
      push: {
        repoUrl: 'https://gitea.example.com/team/app.git',
        branch: 'feature/#123',
        before: null,
        after: null,
      },
    });
    const tag = Buffer.from(deletion.toString('utf8').replace('"branch"', '"tag"'));
    expect(refused(parseGiteaWebhook(delivery(tag, 'delete'), tag, SECRET)).status).toBe(202);
  });

  it('accepts and ignores a tag push (202) with the reason', () => {
    const tag = variant((p) => {
      p.ref = 'refs/tags/v1.4.0';
      p.before = ZERO;
    });
    const result = refused(parseGiteaWebhook(delivery(tag), tag, SECRET));
    expect(result.status).toBe(202);
    expect(result.reason).toContain('refs/tags/v1.4.0');
  });

  it('ignores other events (202) and refuses deliveries without an event header (400)', () => {
    const issue = Buffer.from('{"action":"opened"}');
    const ignored = refused(parseGiteaWebhook(delivery(issue, 'issues'), issue, SECRET));
    expect(ignored.status).toBe(202);
    expect(ignored.reason).toContain('issues');

    const noEvent = refused(parseGiteaWebhook(only(delivery(push), 'x-gitea-signature'), push, SECRET));
    expect(noEvent.status).toBe(400);
  });

  it('refuses malformed JSON and payloads without what a push needs (400)', () => {
    const broken = Buffer.from('{"ref": "refs/heads/main", ');
    const bad = refused(parseGiteaWebhook(delivery(broken), broken, SECRET));
    expect(bad.status).toBe(400);
    expect(bad.reason).toContain('JSON');

    const noRepository = variant((p) => {
      delete p.repository;
    });
    expect(refused(parseGiteaWebhook(delivery(noRepository), noRepository, SECRET)).status).toBe(400);

    const badSha = variant((p) => {
      p.after = 'main';
    });
    expect(refused(parseGiteaWebhook(delivery(badSha), badSha, SECRET)).status).toBe(400);
  });

  it('finds headers whatever their case', () => {
    const headers = Object.fromEntries(
      Object.entries(delivery(push)).map(([key, value]) => [
        key.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()),
        value,
      ]),
    );
    expect(parseGiteaWebhook(headers, push, SECRET).ok).toBe(true);
  });
});
