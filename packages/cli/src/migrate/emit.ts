import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Migration } from './types.js';

/** Wraps a comment to the width of the file: long "because" lines stay readable. */
function wrap(text: string, width = 88): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const indent = /^\s*(- )?/.exec(paragraph)?.[0].replace('-', ' ') ?? '';
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + word.length + 1 > width) {
        lines.push(line);
        line = `${indent}${word}`;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  // yaml writes each line after "#"; a leading space makes it "# text".
  return lines.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
}

/** The node a comment belongs before: a map entry's key, or a list item itself. */
function commentTarget(doc: Document, path: (string | number)[]): Node | null {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path.at(-1);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
    return isScalar(pair?.key) ? pair.key : null;
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last];
    return item && typeof item === 'object' && 'commentBefore' in (item as object) ? (item as Node) : null;
  }
  return null;
}

/** The output file: the header, then the configuration with each mapping decision as a comment. */
export function emitMigration(migration: Migration): string {
  const doc = new Document(migration.config);
  doc.commentBefore = wrap(migration.header.join('\n'));
  for (const { path, text } of migration.comments) {
    const target = commentTarget(doc, path);
    // A comment whose key was not written (a value left out) has nothing to explain.
    if (!target) continue;
    target.commentBefore = target.commentBefore ? `${target.commentBefore}\n${wrap(text)}` : wrap(text);
  }
  return doc.toString({ lineWidth: 0 });
}
