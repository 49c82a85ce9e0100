import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli.js';
import { documentationFiles } from './markdown.js';

/**
 * Every `sentry-git …` command line in the documentation names a command the CLI has and only
 * flags that command takes, and is written so it works from any folder (`sentry-git`, never
 * `pnpm sentry-git`, which runs in the workspace root only and prints pnpm's banner on stdout).
 */

const ROOT = path.resolve(__dirname, '../../..');
const CLI_ROOT = path.resolve(__dirname, '..');
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console']);
const NOT_A_COMMAND = '<!-- docs-test: not a command -->';
const FENCE = /^([ \t]*)```([^\n`]*)\n([\s\S]*?)^\1```[ \t]*$/gm;

/** Lines that may hold commands: shell blocks, `$ ` lines of text blocks, and inline code. */
function commandLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const match of markdown.matchAll(FENCE)) {
    const language = match[2]!.trim();
    const body = match[3]!.split('\n').map((line) => line.trim());
    if (SHELL_LANGUAGES.has(language)) lines.push(...body);
    else if (language === 'text' || language === '') {
      lines.push(...body.filter((line) => line.startsWith('$ ') || line.startsWith('sentry-git ')));
    }
  }
  // Inline code on a line marked `<!-- docs-test: not a command -->` quotes a message that starts
  // with "sentry-git", or a mistyped command on purpose.
  const prose = markdown
    .replace(FENCE, '')
    .split('\n')
    .filter((line) => !line.includes(NOT_A_COMMAND))
    .join('\n');
  for (const match of prose.matchAll(/`([^`\n]+)`/g)) lines.push(match[1]!);
  return lines;
}

/** The argument lists of the `sentry-git` invocations on a line (what follows `sentry-git`). */
function invocations(line: string): string[][] {
  const found: string[][] = [];
  const segments = line.replace(/^\$ /, '').split(/&&|\|\||[|;]|\$\(|\(/);
  for (const segment of segments) {
    // Leading VAR=value assignments, as in `GITHUB_TOKEN=x sentry-git validate`.
    const command = segment.trim().replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*/, '');
    if (!/^sentry-git(\s|$)/.test(command)) continue;
    const words = command
      .slice('sentry-git'.length)
      .replace(/\s#.*$/, '')
      .split(/[\s>)]+/)
      .filter((word) => word !== '');
    found.push(words);
  }
  return found;
}

interface CommandFlags {
  long: Set<string>;
  short: Set<string>;
}

function problemsOf(words: string[], commands: Map<string, CommandFlags>): string[] {
  const [first, ...rest] = words;
  if (first === undefined) return [];
  if (first.startsWith('-')) {
    return ['--version', '--help'].includes(first) ? [] : [`unknown top-level flag ${first}`];
  }
  // A placeholder (`<command>`, `COMMAND`, `[COMMAND]`) names no command.
  if (!/^[a-z][a-z-]*$/.test(first)) return [];
  // A command of a topic is two words: `state export`.
  const inTopic = rest[0] === undefined ? undefined : `${first}:${rest[0]}`;
  const id = !commands.has(first) && inTopic && commands.has(inTopic) ? inTopic : first;
  const flags = commands.get(id);
  if (!flags) return [`unknown command "${first}"`];
  const name = id.replace(':', ' ');
  const problems: string[] = [];
  for (const raw of id === first ? rest : rest.slice(1)) {
    const word = raw.replace(/^\[+/, '').replace(/[\],]+$/, '');
    const long = /^--([a-z][a-z-]*)(?:=.*)?$/.exec(word);
    const short = /^-([a-zA-Z])$/.exec(word);
    if (long && !flags.long.has(long[1]!)) problems.push(`${name} has no flag --${long[1]}`);
    if (short && !flags.short.has(short[1]!)) problems.push(`${name} has no flag -${short[1]}`);
  }
  return problems;
}

describe('commands in the documentation', () => {
  const commands = new Map<string, CommandFlags>();
  beforeAll(async () => {
    // The built CLI as oclif loads it, in a process of its own: this one resolves workspace
    // packages to their TypeScript sources, which Node's own import cannot load.
    const script = `
      import { Config } from '@oclif/core';
      const config = await Config.load({ root: process.cwd() });
      console.log(JSON.stringify(config.commands.map((command) => ({
        id: command.id,
        flags: Object.entries(command.flags).map(([name, flag]) => ({ name, char: flag.char ?? null })),
      }))));`;
    const { stdout } = await execa('node', ['--input-type=module', '-e', script], {
      cwd: CLI_ROOT,
      env: { NODE_OPTIONS: '' },
    });
    const loaded = JSON.parse(stdout) as Array<{
      id: string;
      flags: Array<{ name: string; char: string | null }>;
    }>;
    for (const command of loaded) {
      const flags: CommandFlags = { long: new Set(['help']), short: new Set() };
      for (const flag of command.flags) {
        flags.long.add(flag.name);
        if (flag.char) flags.short.add(flag.char);
      }
      commands.set(command.id, flags);
    }
  });

  it('reads the commands and the command lines', () => {
    expect([...commands.keys()]).toEqual(expect.arrayContaining(['validate', 'watch', 'migrate']));
    expect(commands.get('migrate')?.short.has('c')).toBe(false);
    expect(invocations('$ sentry-git runs -n 2')).toEqual([['runs', '-n', '2']]);
    expect(invocations('X=1 sentry-git validate -c f.yaml # note')).toEqual([['validate', '-c', 'f.yaml']]);
    expect(invocations('sentry-git runs --json | jq .  # sentry-git x')).toEqual([['runs', '--json']]);
    expect(invocations('kubectl -n sentry-git exec deploy/sentry-git -- ls')).toEqual([]);
    expect(problemsOf(['migrate', 'in.yaml', '[-c', 'FILE]'], commands)).toEqual(['migrate has no flag -c']);
    expect(problemsOf(['rollout'], commands)).toEqual(['unknown command "rollout"']);
    expect(problemsOf(['state', 'export', '-c', 'a.yaml', '--out', 'x'], commands)).toEqual([]);
    expect(problemsOf(['state', 'export', '--in', 'x'], commands)).toEqual(['state export has no flag --in']);
    expect(problemsOf(['state', 'exprt'], commands)).toEqual(['unknown command "state"']);
  });

  it('names real commands and flags, and runs from any folder', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const file of documentationFiles(ROOT)) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const [index, line] of text.split('\n').entries()) {
        if (/pnpm (?:exec |run )?sentry-git\b/.test(line)) {
          problems.push(
            `${file}:${index + 1}: "pnpm sentry-git" only runs in the workspace root; write sentry-git`,
          );
        }
      }
      for (const line of commandLines(text)) {
        for (const words of invocations(line)) {
          checked += 1;
          for (const problem of problemsOf(words, commands))
            problems.push(`${file}: \`${line}\`: ${problem}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('the help of -c', () => {
  it('gives the order the loader uses: -c, then SENTRY_CONFIG_PATH, then the current folder', async () => {
    const help = await cli(['validate', '--help'], { cwd: CLI_ROOT });
    expect(help.exitCode).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    const flag = text.slice(text.indexOf('-c, --config=FILE'));
    expect(flag).toMatch(
      /^-c, --config=FILE Configuration file\. Default: the file SENTRY_CONFIG_PATH names, else the first of package\.json .* in the current folder\./,
    );
  });
});
