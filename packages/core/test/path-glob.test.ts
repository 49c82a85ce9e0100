import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { compilePathGlobs, pathGlobProblem } from '../src/engine/path-glob.js';
import { ConfigError, validateConfig } from '../src/index.js';

const GLOBS = [
  'src/**',
  'src/**/*.ts',
  '**/*.md',
  '*.md',
  'docs/*',
  'docs/**/*.md',
  'a/?/b',
  'a/*/*/b',
  'a/**/b',
  '[abc].txt',
  'a[!b]c',
  '[^a]*',
  'file[0-9].txt',
  '[[:alpha:]]',
  '{a,b}/*.js',
  'src/{a,b}/**',
  'a/{b,c{d,e}}/f',
  '**/*.{js,ts}',
  'x.{1..3}',
  '+(a|b)',
  '@(a|b)',
  '*(a)',
  '?(a)',
  '**',
  '*',
  '\\*',
  '.github/**',
  '**/.env*',
  '**/test/**',
  '*.test.ts',
  'src/*/x',
  'README.md',
  '!docs/**',
  '!*.md',
];

const FILES = [
  'src/a.ts',
  'src/x/y/z.ts',
  'src/a/q',
  'src/b/q/r',
  'src/z/x',
  'src',
  'README.md',
  'docs/x.md',
  'docs/a/b.md',
  'docs',
  'a/b/b',
  'a/x/b',
  'a/1/2/b',
  'a/b/f',
  'a/cd/f',
  'a/ce/f',
  'a.txt',
  'b.txt',
  'a/x.js',
  'b/c/d.js',
  'a',
  'b',
  'ab',
  'aab',
  'ba',
  'abc',
  'acc',
  'x',
  'x.2',
  '*',
  'file3.txt',
  '.github/workflows/ci.yml',
  '.env',
  'config/.env.local',
  'lib/test/a.js',
  'x.test.ts',
];

describe('path filter globs', () => {
  // picomatch's semantics are the reference; only the matching engine changed.
  it('match the same changed files as picomatch', () => {
    const differences: string[] = [];
    for (const glob of GLOBS) {
      expect([glob, pathGlobProblem(glob)]).toEqual([glob, null]);
      const reference = picomatch(glob, { dot: true });
      const matches = compilePathGlobs([glob]);
      for (const file of FILES) {
        if (matches(file) !== reference(file))
          differences.push(`${glob} ${file}: picomatch ${reference(file)}`);
      }
    }
    expect(differences).toEqual([]);
  });

  // picomatch's JavaScript regular expression takes seconds on this at 40 characters.
  it('answer a glob with many stars against a 10,000-character file name', () => {
    const matches = compilePathGlobs(['*a*a*a*a*a*a*a*a*a*b']);
    expect(matches('a'.repeat(10_000))).toBe(false);
    expect(matches(`${'a'.repeat(10_000)}b`)).toBe(true);
  });

  it('are refused at validation when they need a lookahead (negated extglobs)', () => {
    const input = {
      repositories: [
        {
          name: 'app',
          monitor: {
            repo_url: '/tmp/app.git',
            branches: ['main'],
            paths: ['src/**', 'src/!(generated)/**'],
            ignore_paths: ['*.!(md)'],
          },
          deploy: { commands: ['true'] },
        },
      ],
    };
    let issues: Array<{ path: string; message: string }> = [];
    try {
      validateConfig(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      issues = (error as ConfigError).issues;
    }
    expect(issues.map((issue) => issue.path)).toEqual([
      'repositories[0].monitor.paths[1]',
      'repositories[0].monitor.ignore_paths[0]',
    ]);
    expect(issues[0]!.message).toMatch(
      /unsupported glob "src\/!\(generated\)\/\*\*": a negated extglob.*Fix: /,
    );
  });
});
