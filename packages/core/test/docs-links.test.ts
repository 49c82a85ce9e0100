import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link in the Markdown documentation resolves: the file (or folder) exists, and
 * a `#fragment` into a Markdown file names one of its headings (GitHub's anchor rules).
 */

const ROOT = path.resolve(__dirname, '../../..');

function markdownFiles(): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      // docs/api is generated HTML (typedoc), not Markdown written by hand.
      if (entry.isDirectory() && relative !== path.join('docs', 'api')) walk(relative);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(relative);
    }
  };
  walk('docs');
  for (const parent of ['examples', 'packages']) {
    for (const entry of readdirSync(path.join(ROOT, parent), { withFileTypes: true })) {
      const readme = path.join(parent, entry.name, 'README.md');
      if (entry.isDirectory() && existsSync(path.join(ROOT, readme))) files.push(readme);
    }
  }
  return files.sort();
}

/** Markdown without fenced code blocks and inline code spans, where `[x](y)` is not a link. */
function prose(text: string): string {
  return text.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '').replace(/`+[^`\n]*`+/g, '');
}

function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const match of prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    targets.push(match[1]!);
  }
  for (const match of prose(text).matchAll(/^[ \t]*\[[^\]]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+"[^"]*")?[ \t]*$/gm)) {
    targets.push(match[1]!);
  }
  return targets;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  const withoutCode = text.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[^\n]*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      // An HTML tag is dropped from the anchor, but `<name>` in a code span is text.
      .split(/(`[^`]*`)/)
      .map((part, index) => (index % 2 === 1 ? part : part.replace(/<[^>]+>/g, '')))
      .join('')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\- _]/gu, '')
      .replaceAll(' ', '-');
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]!);
  return anchors;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

function brokenLinks(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (isExternal(target)) continue;
    const [rawPath = '', fragment] = target.split('#', 2) as [string, string | undefined];
    const linkPath = decodeURIComponent(rawPath);
    const resolved =
      linkPath === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), linkPath);
    if (!resolved.startsWith(ROOT)) {
      problems.push(`${file}: ${target} points outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${file}: ${target} does not exist`);
      continue;
    }
    if (fragment && resolved.endsWith('.md') && statSync(resolved).isFile()) {
      const anchors = anchorsOf(readFileSync(resolved, 'utf8'));
      if (!anchors.has(decodeURIComponent(fragment))) {
        problems.push(`${file}: ${target} names no heading of ${path.relative(ROOT, resolved)}`);
      }
    }
  }
  return problems;
}

describe('documentation links', () => {
  it('finds the Markdown files and their links', () => {
    const files = markdownFiles();
    expect(files).toContain('README.md');
    expect(files).toContain(path.join('docs', 'README.md'));
    expect(files.some((file) => file.startsWith('packages'))).toBe(true);
    expect(linkTargets('[a](b.md#c) `[x](not-a-link)`\n[d]: e.md')).toEqual(['b.md#c', 'e.md']);
    expect(anchorsOf('# The `sentry-git` command\n## `groups.<name>`\n## A <b>b</b>\n## A b')).toEqual(
      new Set(['the-sentry-git-command', 'groupsname', 'a-b', 'a-b-1']),
    );
  });

  it('resolves every relative link and heading fragment', () => {
    const problems = markdownFiles().flatMap(brokenLinks);
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
