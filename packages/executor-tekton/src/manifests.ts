import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SentryError } from '@sentry-git/core';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube/types.js';

/** One Kubernetes object read from a file. */
export interface Manifest {
  /** The file, relative to the checkout (posix separators). */
  file: string;
  /** 1-based line where its document starts. */
  line: number;
  object: KubeObject;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function parseError(file: string, line: number | undefined, message: string): SentryError {
  return new SentryError('TEKTON_MANIFEST_INVALID', `${file}${line ? `:${line}` : ''}: ${message}`, {
    fix: 'Correct the file in the QA repository (every document must be a Kubernetes object with apiVersion and kind).',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Every object in one YAML/JSON file (multi-document files included; `kind: *List` documents are
 * flattened). A syntax error or a document that is not an object names the file and line.
 */
export function parseManifests(text: string, file: string): Manifest[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const manifests: Manifest[] = [];
  for (const document of documents) {
    // Where the object starts (its first key), not the "---" before it.
    const line = lineCounter.linePos(document.contents?.range[0] ?? document.range[0]).line;
    const [error] = document.errors;
    if (error) {
      const summary = (error.message.split('\n')[0] ?? error.message).replace(/:$/, '');
      throw parseError(file, error.linePos?.[0].line ?? line, summary);
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw parseError(file, line, 'the document is not a mapping (an object)');
    const items =
      typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)
        ? value.items
        : [value];
    for (const item of items) {
      if (!isObject(item) || typeof item.apiVersion !== 'string' || typeof item.kind !== 'string') {
        throw parseError(
          file,
          line,
          'the document has no apiVersion and kind: it is not a Kubernetes object',
        );
      }
      manifests.push({ file, line, object: item as KubeObject });
    }
  }
  return manifests;
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && MANIFEST_FILE.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Resolves a path from the config inside the checkout; refuses one that leaves it. */
export function insideCheckout(root: string, relative: string, key: string): string {
  const resolved = path.resolve(root, relative);
  if (resolved !== root && !resolved.startsWith(`${root}${path.sep}`)) {
    throw new SentryError(
      'TEKTON_PATH_OUTSIDE_CHECKOUT',
      `${key} (${relative}) points outside the QA checkout.`,
      {
        fix: 'Use a path relative to the root of the QA repository.',
        path: `deploy.${key}`,
      },
    );
  }
  return resolved;
}

/** Every object under `dir` of the checkout, files in sorted order, all parsed before any is used. */
export async function readManifestDir(root: string, dir: string): Promise<Manifest[]> {
  const absolute = insideCheckout(root, dir, 'tekton.tekton_dir');
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new SentryError('TEKTON_DIR_MISSING', `The QA checkout has no folder ${dir}.`, {
      fix: 'Set deploy.tekton.tekton_dir to the folder holding the manifests (default .tekton), or add it to the QA repository.',
      path: 'deploy.tekton.tekton_dir',
    });
  }
  const files = await listFiles(root, path.relative(root, absolute));
  const manifests: Manifest[] = [];
  for (const file of files)
    manifests.push(...parseManifests(await readFile(path.join(root, file), 'utf8'), file));
  return manifests;
}
