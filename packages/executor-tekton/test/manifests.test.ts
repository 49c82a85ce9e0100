import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasReference, referencePath, tempdir } from '@sentry-git/test-utils';
import { describe, expect, it } from 'vitest';
import { insideCheckout, parseManifests, readManifestDir } from '../src/manifests.js';

describe('manifests', () => {
  it('reads every document of a multi-document file, with its line, flattening lists', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: a }',
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }',
      '  - { apiVersion: v1, kind: ConfigMap, metadata: { name: c } }',
    ].join('\n');
    const manifests = parseManifests(text, '.tekton/config.yaml');
    expect(manifests.map((manifest) => [manifest.object.metadata?.name, manifest.line])).toEqual([
      ['a', 1],
      ['b', 7],
      ['c', 7],
    ]);
  });

  it('names the file and line of a syntax error', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Task\nkind: Pipeline\n';
    expect(() => parseManifests(text, '.tekton/bad.yaml')).toThrow(
      /^\.tekton\/bad\.yaml:6: Map keys must be unique/,
    );
  });

  it('refuses a document that is not a Kubernetes object, naming file and line', () => {
    expect(() => parseManifests('a: 1\n---\n- x\n', 'x.yaml')).toThrow(
      /x\.yaml:1: the document has no apiVersion and kind/,
    );
    expect(() => parseManifests('apiVersion: v1\nkind: A\n---\n- x\n', 'x.yaml')).toThrow(
      /x\.yaml:4: the document is not a mapping/,
    );
  });

  it('reads a folder recursively, *.yaml, *.yml and *.json, in sorted order', async () => {
    const root = await tempdir();
    const dir = path.join(root, '.tekton');
    await mkdir(path.join(dir, 'b', 'c'), { recursive: true });
    const object = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    await writeFile(path.join(dir, 'z.yaml'), object('z'));
    await writeFile(path.join(dir, 'a.yml'), object('a'));
    await writeFile(
      path.join(dir, 'b', 'c', 'm.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' } }),
    );
    await writeFile(path.join(dir, 'README.md'), '# not a manifest');
    const manifests = await readManifestDir(root, '.tekton');
    expect(manifests.map((manifest) => manifest.file)).toEqual([
      '.tekton/a.yml',
      '.tekton/b/c/m.json',
      '.tekton/z.yaml',
    ]);
    await expect(readManifestDir(root, 'missing')).rejects.toThrow(/The QA checkout has no folder missing/);
  });

  it('refuses a path that leaves the checkout', () => {
    expect(() => insideCheckout('/tmp/job/checkout', '../../etc/passwd', 'tekton.pipelinerun_file')).toThrow(
      /tekton\.pipelinerun_file \(\.\.\/\.\.\/etc\/passwd\) points outside the QA checkout/,
    );
    expect(insideCheckout('/tmp/job/checkout', 'runs/a.yaml', 'k')).toBe('/tmp/job/checkout/runs/a.yaml');
  });

  it.skipIf(!hasReference())('parses every real Tekton example (the reference folder)', async () => {
    const dir = referencePath('tekton', 'examples');
    const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const manifests = parseManifests(await readFile(path.join(dir, file), 'utf8'), file);
      expect(
        manifests.some((manifest) => manifest.object.kind === 'PipelineRun'),
        file,
      ).toBe(true);
    }
  });
});
