import { describe, expect, it } from 'vitest';
import { literalBranch, literalBranches } from '../src/internal.js';

describe('literal branch patterns', () => {
  it.each([
    ['main', 'main'],
    ['feature/#123', 'feature/#123'],
    ['release-1_2', 'release-1_2'],
    ['release\\.1', 'release.1'],
    ['a\\/b', 'a/b'],
  ])('%s is the literal name %s', (pattern, name) => {
    expect(literalBranch(pattern)).toBe(name);
  });

  it.each(['dev.*', 'v\\d+', 'main|master', '(a)', '[ab]', 'x?', 'a{2}', '^main$', 'trailing\\'])(
    '%s is a regular expression',
    (pattern) => {
      expect(literalBranch(pattern)).toBeNull();
    },
  );

  it('treats the list as literal only when every entry is', () => {
    expect(literalBranches(['main', 'dev', 'main'])).toEqual(['main', 'dev']);
    expect(literalBranches(['main', 'dev.*'])).toBeNull();
  });
});
