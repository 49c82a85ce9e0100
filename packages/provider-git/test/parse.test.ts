import { describe, expect, it } from 'vitest';
import { parseLsRemote } from '../src/index.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(64);

describe('parseLsRemote', () => {
  it('reads branch names with / and #, SHA-256 ids and CRLF endings', () => {
    const output = [
      `${A}\trefs/heads/main`,
      `${B}\trefs/heads/feature/ui/x#1`,
      `${C}\trefs/heads/sha256\r`,
      '',
    ].join('\n');
    expect(parseLsRemote(output)).toEqual([
      { branch: 'main', sha: A },
      { branch: 'feature/ui/x#1', sha: B },
      { branch: 'sha256', sha: C },
    ]);
  });

  it('skips tags, peeled refs, warnings and malformed lines', () => {
    const output = [
      'warning: redirecting to https://example.com/r.git/',
      `${A}\tHEAD`,
      `${A}\trefs/tags/v1`,
      `${B}\trefs/tags/v1^{}`,
      `not-a-sha\trefs/heads/bad`,
      `${A} refs/heads/space-separated`,
      `${B}\trefs/heads/ok`,
    ].join('\n');
    expect(parseLsRemote(output)).toEqual([{ branch: 'ok', sha: B }]);
  });

  it('returns nothing for an empty repository', () => {
    expect(parseLsRemote('')).toEqual([]);
  });
});
