import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubProvider, parseGitHubWebhook, signPayload, verifySignature } from '../src/index.js';
import { type Schema, validate } from './schema-check.js';

const require = createRequire(import.meta.url);
const SECRET = 'webhook secret for tests';

interface Definition {
  name: string;
  examples: Array<Record<string, unknown> & { ref: string; before: string; after: string }>;
}

/** Every push example of @octokit/webhooks-examples: api.github.com and each GHES release folder. */
function pushExamples(): Array<{ source: string; index: number; payload: Definition['examples'][number] }> {
  const root = path.dirname(require.resolve('@octokit/webhooks-examples/package.json'));
  const sources = readdirSync(root).filter((name) => name === 'api.github.com' || name.startsWith('ghes-'));
  return sources.flatMap((source) => {
    const definitions = JSON.parse(
      readFileSync(path.join(root, source, 'index.json'), 'utf8'),
    ) as Definition[];
    const push = definitions.find((definition) => definition.name === 'push');
    return (push?.examples ?? []).map((payload, index) => ({ source, index, payload }));
  });
}

function pushSchema(): Schema {
  const file = require.resolve('@octokit/webhooks-schemas/schema.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Schema;
}

function fixture(name: string): Buffer {
  return readFileSync(path.join(import.meta.dirname, 'fixtures', name));
}

function delivery(body: Buffer | string, extra: Record<string, string | undefined> = {}) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': signPayload(SECRET, raw),
      ...extra,
    },
  };
}

const EXAMPLES = pushExamples();

/**
 * Upstream drift, recorded rather than hidden: the oldest api.github.com push example predates
 * repository fields the schema (same release, 7.6.1) now requires. Nothing the parser reads.
 */
const KNOWN_SCHEMA_DRIFT: Record<string, string[]> = {
  '#0': [
    '$.repository: missing required "is_template"',
    '$.repository: missing required "web_commit_signoff_required"',
    '$.repository: missing required "topics"',
    '$.repository: missing required "visibility"',
    '$.repository: missing required "custom_properties"',
  ],
};

describe('signatures', () => {
  it('holds the known-answer vector (X-Hub-Signature-256)', () => {
    const secret = "It's a Secret to Everybody";
    const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signPayload(secret, 'Hello, World!')).toBe(expected);
    expect(verifySignature(secret, Buffer.from('Hello, World!'), expected)).toBe(true);
    expect(verifySignature(secret, Buffer.from('Hello, World?'), expected)).toBe(false);
    // Through parseWebhook the signature is accepted; the body is then refused as JSON, not as forged.
    const result = parseGitHubWebhook(
      { 'x-github-event': 'push', 'x-hub-signature-256': expected },
      Buffer.from('Hello, World!'),
      secret,
    );
    expect(result).toMatchObject({ ok: false, status: 400, reason: expect.stringMatching(/JSON/) });
  });

  it('refuses a wrong signature, a missing one, a SHA-1-only one and a malformed one with 401', () => {
    const { raw, headers } = delivery(fixture('push-feature-branch.json'));
    const cases: Array<Record<string, string | undefined>> = [
      { 'x-hub-signature-256': signPayload('another secret', raw) },
      { 'x-hub-signature-256': undefined },
      {
        'x-hub-signature-256': undefined,
        'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567',
      },
      { 'x-hub-signature-256': 'sha256=short' },
      { 'x-hub-signature-256': signPayload(SECRET, raw).toUpperCase() },
    ];
    for (const change of cases) {
      const result = parseGitHubWebhook({ ...headers, ...change }, raw, SECRET);
      expect(result, JSON.stringify(change)).toMatchObject({ ok: false, status: 401 });
    }
    const sha1Only = parseGitHubWebhook(
      { ...headers, 'x-hub-signature-256': undefined, 'x-hub-signature': 'sha1=00' },
      raw,
      SECRET,
    );
    expect(sha1Only).toMatchObject({ reason: expect.stringContaining('SHA-1') });
  });

  it('refuses a body changed after signing', () => {
    const { raw, headers } = delivery(fixture('push-feature-branch.json'));
    const tampered = Buffer.from(raw.toString('utf8').replace('feature/#123', 'main'));
    expect(parseGitHubWebhook(headers, tampered, SECRET)).toMatchObject({ ok: false, status: 401 });
  });

  it('reads headers whatever their case and takes the first of repeated values', () => {
    const { raw, headers } = delivery(fixture('push-feature-branch.json'));
    const shouted = {
      'X-GitHub-Event': ['push'],
      'X-Hub-Signature-256': [headers['x-hub-signature-256']!, 'sha256=ignored'],
      'Content-Type': 'application/json',
    };
    expect(parseGitHubWebhook(shouted, raw, SECRET)).toMatchObject({ ok: true });
  });

  it('without a secret, accepts deliveries without checking a signature', () => {
    const raw = fixture('push-feature-branch.json');
    expect(parseGitHubWebhook({ 'x-github-event': 'push' }, raw, undefined)).toMatchObject({ ok: true });
  });
});

describe('push payloads', () => {
  it('found push examples in @octokit/webhooks-examples (api.github.com and GHES)', () => {
    expect(EXAMPLES.filter((example) => example.source === 'api.github.com').length).toBeGreaterThan(0);
    expect(EXAMPLES.some((example) => example.source.startsWith('ghes-'))).toBe(true);
  });

  it.each(EXAMPLES.map((example) => [`${example.source} #${example.index}`, example] as const))(
    'parses the example %s',
    (_name, { payload }) => {
      const { raw, headers } = delivery(JSON.stringify(payload));
      const result = githubProvider.parseWebhook!(headers, raw, SECRET);
      if (!payload.ref.startsWith('refs/heads/')) {
        expect(result).toMatchObject({
          ok: false,
          status: 202,
          reason: expect.stringContaining(payload.ref),
        });
        return;
      }
      const zero = /^0+$/;
      expect(result).toEqual({
        ok: true,
        push: {
          repoUrl: (payload.repository as { html_url: string }).html_url,
          branch: payload.ref.slice('refs/heads/'.length),
          before: zero.test(payload.before) ? null : payload.before,
          after: zero.test(payload.after) ? null : payload.after,
        },
      });
    },
  );

  it.each(
    EXAMPLES.filter((example) => example.source === 'api.github.com').map(
      (example) => [`#${example.index}`, example] as const,
    ),
  )(
    'the api.github.com example %s is valid against the push$event schema of @octokit/webhooks-schemas',
    (_name, { payload }) => {
      const schema = pushSchema();
      const push = (schema.definitions as Record<string, Schema>).push$event!;
      expect(validate(schema, push, payload)).toEqual(KNOWN_SCHEMA_DRIFT[_name] ?? []);
    },
  );

  it('the fixtures are valid push$event payloads too, and the schema check does catch a broken one', () => {
    const schema = pushSchema();
    const push = (schema.definitions as Record<string, Schema>).push$event!;
    for (const name of ['push-feature-branch.json', 'push-branch-deleted.json']) {
      expect(validate(schema, push, JSON.parse(fixture(name).toString('utf8'))), name).toEqual([]);
    }
    const broken = JSON.parse(fixture('push-feature-branch.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    delete broken.after;
    broken.forced = 'yes';
    expect(validate(schema, push, broken)).toEqual(
      expect.arrayContaining([expect.stringContaining('"after"'), expect.stringContaining('$.forced')]),
    );
  });

  it('a push to a branch with / and #: branch, before and after', () => {
    const { raw, headers } = delivery(fixture('push-feature-branch.json'));
    expect(parseGitHubWebhook(headers, raw, SECRET)).toEqual({
      ok: true,
      push: {
        repoUrl: 'https://github.com/Codertocat/Hello-World',
        branch: 'feature/#123',
        before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        after: '9fa8ee1ed4d4d4e4c6f1aa9c7d4e3a7d4b1c2e3f',
      },
    });
  });

  it('a deleted branch has after = null', () => {
    const { raw, headers } = delivery(fixture('push-branch-deleted.json'));
    expect(parseGitHubWebhook(headers, raw, SECRET)).toMatchObject({
      ok: true,
      push: { branch: 'feature/#123', before: '9fa8ee1ed4d4d4e4c6f1aa9c7d4e3a7d4b1c2e3f', after: null },
    });
  });

  it('reads a delivery sent as application/x-www-form-urlencoded (payload=...)', () => {
    const json = fixture('push-feature-branch.json').toString('utf8');
    const { raw, headers } = delivery(new URLSearchParams({ payload: json }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(parseGitHubWebhook(headers, raw, SECRET)).toMatchObject({
      ok: true,
      push: { branch: 'feature/#123' },
    });
  });

  it('malformed JSON → 400; a payload without ref → 400', () => {
    const bad = delivery('{"ref": "refs/heads/main",');
    expect(parseGitHubWebhook(bad.headers, bad.raw, SECRET)).toMatchObject({ ok: false, status: 400 });
    const noRef = delivery('{"repository": {}}');
    expect(parseGitHubWebhook(noRef.headers, noRef.raw, SECRET)).toMatchObject({ ok: false, status: 400 });
  });

  it('other events are acknowledged with 202 and ignored; a missing event header is 400', () => {
    const ping = delivery('{"zen": "Keep it logically awesome.", "hook_id": 1}', {
      'x-github-event': 'ping',
    });
    expect(parseGitHubWebhook(ping.headers, ping.raw, SECRET)).toMatchObject({
      ok: false,
      status: 202,
      reason: expect.stringContaining('ping'),
    });
    const none = delivery('{}', { 'x-github-event': undefined });
    expect(parseGitHubWebhook(none.headers, none.raw, SECRET)).toMatchObject({ ok: false, status: 400 });
  });
});
