import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Code blocks of the documentation, so a test runs what a reader pastes instead of a copy that
 * can drift from the page.
 */

/** The text of the `## ` section whose heading starts with `heading`, up to the next `## `. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## ${heading}`));
  if (start === -1) throw new Error(`no "## ${heading}" section`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The fenced code blocks of `markdown` written in `language` (e.g. `sh`), in order. */
export function codeBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) {
    if (match[1]!.trim() === language) blocks.push(match[2]!);
  }
  return blocks;
}

/**
 * The hand-written Markdown documentation, relative to `root`: README.md, docs/ (without the
 * generated docs/api), the README of every example and package, and every README under deploy/
 * (the kustomize overlays' included).
 */
export function documentationFiles(root: string): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory() && relative !== path.join('docs', 'api')) walk(relative);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(relative);
    }
  };
  walk('docs');
  for (const parent of ['examples', 'packages']) {
    for (const entry of readdirSync(path.join(root, parent), { withFileTypes: true })) {
      const readme = path.join(parent, entry.name, 'README.md');
      if (entry.isDirectory() && existsSync(path.join(root, readme))) files.push(readme);
    }
  }
  const readmes = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) readmes(relative);
      else if (entry.name === 'README.md') files.push(relative);
    }
  };
  readmes('deploy');
  return files.sort();
}
