import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateConfig } from '../src/index.js';

const REPOSITORY = {
  name: 'app',
  monitor: { repo_url: '/srv/app.git', branches: ['main'] },
  deploy: { commands: ['true'] },
};
const ADMIN = 'admin-token-0123456789abcdef';
const READER = 'read-token-0123456789abcdef';
const BOT = 'bot-token-0123456789abcdef';

function issues(server: Record<string, unknown>): Record<string, string> {
  try {
    validateConfig({ repositories: [REPOSITORY], server });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).issues.map((issue) => [issue.path, issue.message]));
  }
  throw new Error('expected a ConfigError');
}

describe('server.read_token and server.tokens', () => {
  it('accepts named admin and read tokens beside token and read_token', () => {
    const config = validateConfig({
      repositories: [REPOSITORY],
      server: {
        token: ADMIN,
        read_token: READER,
        tokens: [
          { name: 'ci-bot', token: BOT, role: 'admin' },
          { name: 'grafana@ops', token: `${BOT}-read`, role: 'read' },
        ],
      },
    });
    expect(config.server.read_token).toBe(READER);
    expect(config.server.tokens.map((entry) => [entry.name, entry.role])).toEqual([
      ['ci-bot', 'admin'],
      ['grafana@ops', 'read'],
    ]);
    expect(validateConfig({ repositories: [REPOSITORY] }).server.tokens).toEqual([]);
  });

  it('refuses a bad name, role or short token with what to do, never showing the token', () => {
    const found = issues({
      tokens: [
        { name: 'ops team', token: BOT, role: 'admin' },
        { name: 'admin', token: `${BOT}-2`, role: 'read' },
        { name: 'ci', token: 'tiny-value', role: 'admin' },
        { name: 'viewer', token: `${BOT}-3`, role: 'owner' },
        { name: 'extra', token: `${BOT}-4`, role: 'read', scope: 'all' },
      ],
    });
    expect(found['server.tokens[0].name']).toMatch(/letters, digits.*recorded as who acted/);
    expect(found['server.tokens[1].name']).toMatch(/reserved.*server\.token.*Fix: choose another name/);
    expect(found['server.tokens[2].token']).toMatch(/shorter than 16 characters.*openssl rand/);
    expect(found['server.tokens[3].role']).toMatch(/"admin" \(read and act\) or "read"/);
    expect(Object.keys(found).some((key) => key.startsWith('server.tokens[4]'))).toBe(true);
    expect(JSON.stringify(found)).not.toContain('tiny-value');
  });

  it('refuses a name given twice and one token value under two keys, naming the keys only', () => {
    const found = issues({
      token: ADMIN,
      read_token: ADMIN,
      tokens: [
        { name: 'ci', token: BOT, role: 'admin' },
        { name: 'ci', token: BOT, role: 'read' },
      ],
    });
    expect(found['server.read_token']).toBe(
      'the same token as server.token: a request with it could not be told apart. Fix: give each token its own value.',
    );
    expect(found['server.tokens[1].name']).toMatch(/duplicate token name "ci" \(also server\.tokens\[0\]\)/);
    expect(found['server.tokens[1].token']).toMatch(/the same token as server\.tokens\[0\]\.token/);
    expect(JSON.stringify(found)).not.toContain(ADMIN);
    expect(JSON.stringify(found)).not.toContain(BOT);
  });

  it('collects read_token and named tokens as secrets to redact', async () => {
    const dir = await tempdir();
    const file = path.join(dir, 'sentry.json');
    await writeFile(
      file,
      JSON.stringify({
        repositories: [REPOSITORY],
        server: { read_token: READER, tokens: [{ name: 'ci', token: BOT, role: 'admin' }] },
      }),
    );
    const loaded = await loadConfig({ file, env: {} });
    expect(loaded.secrets).toEqual(expect.arrayContaining([READER, BOT]));
    expect(loaded.secrets).not.toContain('ci');
  });
});
