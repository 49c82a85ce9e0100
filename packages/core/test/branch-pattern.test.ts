import { RE2JS } from 're2js';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { MATCH_MEMO_SIZE } from '../src/engine/branch-pattern.js';
import { validateConfig } from '../src/index.js';
import {
  branchPatternProblem,
  compileBranchMatcher,
  literalBranch,
  translateSimpleSentry,
} from '../src/internal.js';
import { issuesOf } from './config-issues.js';

function issuesOfConfig(input: unknown) {
  return issuesOf(() => validateConfig(input));
}

function configWithBranches(branches: string[]) {
  return {
    repositories: [
      { name: 'app', monitor: { repo_url: '/tmp/app.git', branches }, deploy: { commands: ['true'] } },
    ],
  };
}

describe('branch patterns are RE2', () => {
  // A backtracking engine takes exponential time on these; RE2 answers in linear time. No timing
  // assertion: with JavaScript's RegExp this test never gets to its expectations.
  it('answers a catastrophic pattern against a hostile 10,000-character name', () => {
    const matches = compileBranchMatcher(['(a+)+$', 'main']);
    const hostile = `${'a'.repeat(10_000)}!`;
    expect(matches(hostile)).toBe(false);
    expect(matches('a'.repeat(10_000))).toBe(true);
    expect(matches('main')).toBe(true);
    expect(compileBranchMatcher(['(x+x+)+y'])('x'.repeat(10_000))).toBe(false);
    expect(compileBranchMatcher(['(.*a){12}'])('a'.repeat(10_000))).toBe(true);
  });

  it('gives repositories watching the same branches one matcher', () => {
    const compiled = new Map<string, (branch: string) => boolean>();
    const first = compileBranchMatcher(['main', 'develop'], compiled);
    expect(compileBranchMatcher(['main', 'develop'], compiled)).toBe(first);
    expect(compileBranchMatcher(['main'], compiled)).toBe(compileBranchMatcher(['main'], compiled));
    const other = compileBranchMatcher(['develop', 'main'], compiled);
    expect(other).not.toBe(first);
    expect(['main', 'develop', 'feature'].map(first)).toEqual([true, true, false]);
    expect(['main', 'develop', 'feature'].map(other)).toEqual([true, true, false]);
    // A list's key cannot be taken by a single pattern that contains its separator.
    const odd = compileBranchMatcher(['\0main\0develop'], compiled);
    expect(odd).not.toBe(first);
    expect(odd('main')).toBe(false);
    expect(compileBranchMatcher(['main', 'develop'], compiled)).toBe(first);
  });

  it('matches the whole branch name', () => {
    const matches = compileBranchMatcher(['main|dev', 'release/.*']);
    expect(['main', 'dev', 'release/1', 'maindev', 'xmain', 'old-release/1'].map(matches)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    // A `)` cannot close the full-match group early: the pattern is matched whole, not pasted.
    expect(branchPatternProblem('a)|(b')).not.toBeNull();
  });

  it.each([
    ['(?i)main', ['MAIN', 'Main'], ['mainx']],
    ['[[:alpha:]]+', ['abc'], ['ab1']],
    ['\\pL+/\\d+', ['émile/12'], ['x/y']],
    ['(?P<kind>feat|fix)/.*', ['feat/x', 'fix/y'], ['chore/z']],
    ['\\Qv1.2+\\E', ['v1.2+'], ['v1x2+']],
    ['\\Amain\\z', ['main'], ['main2']],
    ['.', ['🚀'], ['ab']],
  ])('accepts RE2 syntax: %s', (pattern, yes, no) => {
    expect(branchPatternProblem(pattern)).toBeNull();
    const matches = compileBranchMatcher([pattern]);
    for (const name of yes) expect([name, matches(name)]).toEqual([name, true]);
    for (const name of no) expect([name, matches(name)]).toEqual([name, false]);
  });

  it('refuses at validation what RE2 does not have, with the key path, the pattern, the reason and a fix', () => {
    const refused: Array<[string, RegExp]> = [
      ['(a)\\1', /backreference, \\1,.*Fix: repeat the group/],
      ['(?<n>a)\\k<n>', /backreference, \\k,/],
      ['(?=release/)r.*', /lookahead, \(\?=\.\.\.\).*Fix: list the branches/],
      ['(?!main$).*', /lookahead, \(\?!\.\.\.\)/],
      ['.*(?<=-rc)', /lookbehind, \(\?<=\.\.\.\)/],
      ['.*(?<!-rc)', /lookbehind, \(\?<!\.\.\.\)/],
      ['a{1001}', /repeat count \{1001\}.*at most 1000/],
      ['a++', /possessive/],
      ['\\u0041', /\\u escape.*\\x\{0041\}/],
      ['dev-([', /not a valid RE2 regular expression: missing closing \] in `\[`/],
    ];
    const issues = issuesOfConfig(configWithBranches(['main', ...refused.map(([pattern]) => pattern)]));
    expect(issues.map((issue) => issue.path)).toEqual(
      refused.map((_, index) => `repositories[0].monitor.branches[${index + 1}]`),
    );
    refused.forEach(([pattern, reason], index) => {
      const message = issues[index]!.message;
      expect(message).toContain(`invalid branch pattern ${JSON.stringify(pattern)}`);
      expect(message).toMatch(reason);
      expect(message).toMatch(/RE2 regular expressions .*Fix: /);
    });
  });

  it('compiles each distinct pattern once when repositories share a map (the engine does)', () => {
    const compiled = new Map<string, (branch: string) => boolean>();
    const matchers = Array.from({ length: 100 }, () =>
      compileBranchMatcher(['main', 'release/.*'], compiled),
    );
    // Besides the patterns, the map holds the list's matcher (a key starting with NUL), shared too.
    expect([...compiled.keys()].filter((key) => !key.startsWith('\0'))).toEqual(['main', 'release/.*']);
    expect(new Set(matchers).size).toBe(1);
    expect(matchers.every((matches) => matches('release/2') && matches('main') && !matches('dev'))).toBe(
      true,
    );
  });

  it('accepts the catastrophic pattern: RE2 makes it harmless', () => {
    expect(() => validateConfig(configWithBranches(['(a+)+$']))).not.toThrow();
  });
});

describe('literal branch names under RE2 syntax', () => {
  // A pattern taken for a literal name is probed by that name alone: it must match exactly it.
  it.each([
    'main',
    'feature/#123',
    'release\\.1',
    'a\\/b',
    'x\\-y',
    'under\\_score',
    'tilde\\~',
    'at@sign',
    'brace\\{1\\}',
  ])('%s matches exactly the name it is taken for', (pattern) => {
    const name = literalBranch(pattern);
    expect(name).not.toBeNull();
    const matches = compileBranchMatcher([pattern]);
    expect(matches(name!)).toBe(true);
    expect(matches(`${name}x`)).toBe(false);
    expect(matches(name!.replace(/./, 'Z'))).toBe(false);
  });

  it("keeps the simplified Sentry format's branch names literal", () => {
    const names = ['release/1.2', 'feat+x', 'a(b)', 'x|y', 'v[1]', 'tilde~^$'];
    const translated = translateSimpleSentry({
      target_repo: { url: 'https://github.com/example/a', branches: names.join(','), type: 'github' },
      qa_repo: { url: 'https://gitlab.example.com/example/qa', type: 'gitlab' },
    });
    expect(translated.ok).toBe(true);
    if (!translated.ok) return;
    const patterns = (translated.config.repositories as Array<{ monitor: { branches: string[] } }>)[0]!
      .monitor.branches;
    expect(patterns.map(literalBranch)).toEqual(names);
    const matches = compileBranchMatcher(patterns);
    expect(names.every(matches)).toBe(true);
    expect(['release/1x2', 'featx', 'ab', 'x', 'v1', 'tilde'].some(matches)).toBe(false);
  });

  it.each(['(?i)main', '\\Qmain\\E', '\\pL', '\\x41', '[[:alpha:]]', '\\Amain', 'ma\\in', '\\émile'])(
    '%s is not taken for a literal name',
    (pattern) => {
      expect(literalBranch(pattern)).toBeNull();
    },
  );
});

describe('compiled branch patterns remember their answers', () => {
  it('match a name RE2 has seen without running RE2 again, and stay right past the memo’s bound', () => {
    const testExact = vi.spyOn(RE2JS.prototype, 'testExact');
    onTestFinished(() => {
      testExact.mockRestore();
    });
    const matches = compileBranchMatcher(['release/.*']);
    expect(matches('release/1')).toBe(true);
    expect(matches('main')).toBe(false);
    expect(matches('release/1')).toBe(true);
    expect(matches('main')).toBe(false);
    expect(testExact).toHaveBeenCalledTimes(2);
    // More distinct names than the memo keeps: it starts over, the answers do not change.
    for (let i = 0; i < 2 * MATCH_MEMO_SIZE + 10; i += 1) {
      expect(matches(`release/${i}`)).toBe(true);
      expect(matches(`hotfix/${i}`)).toBe(false);
    }
    expect(matches('release/1')).toBe(true);
    expect(matches('main')).toBe(false);
  });
});
