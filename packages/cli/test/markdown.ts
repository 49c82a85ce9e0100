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
