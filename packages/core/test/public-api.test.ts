import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** What scripts/public-api.mjs exports (a plain .mjs file, so typed here). */
interface PublicApiScript {
  ENTRY: string;
  REGENERATE_COMMAND: string;
  listExports(entry?: string): { name: string; kind: 'value' | 'type' }[];
  renderList(exports: { name: string; kind: 'value' | 'type' }[]): string;
  readList(): string;
}

const ROOT = path.resolve(__dirname, '../../..');

async function loadScript(): Promise<PublicApiScript> {
  const url = pathToFileURL(path.join(ROOT, 'scripts/public-api.mjs')).href;
  return (await import(url)) as PublicApiScript;
}

/** Type-checking the entry takes seconds: once for both tests. */
let listed: Promise<{ name: string; kind: 'value' | 'type' }[]> | undefined;
function exportsOfMainEntry() {
  listed ??= loadScript().then((script) => script.listExports());
  return listed;
}

describe("@sentry-git/core's public API", () => {
  it('is exactly the committed list (packages/core/public-api.txt): the surface does not grow by accident', async () => {
    const script = await loadScript();
    const current = script.renderList(await exportsOfMainEntry());
    expect(current, `the main entry changed: if that is meant, run \`${script.REGENERATE_COMMAND}\``).toBe(
      script.readList(),
    );
  });

  it('has at run time exactly the values the list names', async () => {
    const values = (await exportsOfMainEntry())
      .filter((entry) => entry.kind === 'value')
      .map((entry) => entry.name);
    const runtime = Object.keys(await import('../src/index.js')).sort();
    expect(runtime).toEqual([...values].sort());
  });

  it('shares no name with the internal entry', async () => {
    const [main, internal] = await Promise.all([import('../src/index.js'), import('../src/internal.js')]);
    const internalNames = new Set(Object.keys(internal));
    expect(Object.keys(main).filter((name) => internalNames.has(name))).toEqual([]);
  });
});
