import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

/** What scripts/write-config-reference.mjs exports (a plain .mjs file, so typed here). */
interface ConfigReferenceScript {
  renderConfigReference(source: typeof core): string;
  REFERENCE_PATH: string;
  REGENERATE_COMMAND: string;
}

const ROOT = path.resolve(__dirname, '../../..');

async function loadScript(): Promise<ConfigReferenceScript> {
  const url = pathToFileURL(path.join(ROOT, 'scripts/write-config-reference.mjs')).href;
  return (await import(url)) as ConfigReferenceScript;
}

describe('the configuration reference', () => {
  it('lists every key path with its type, default, range and description', async () => {
    const { renderConfigReference } = await loadScript();
    const page = renderConfigReference(core);
    expect(page).toContain('| `global.poll_concurrency` | integer | `8` | ≥ 1 |');
    expect(page).toContain('| `global.jitter` | number | `0.1` | 0–0.5 |');
    expect(page).toContain('| `repositories[].monitor.branches` | list of strings | **required** |');
    expect(page).toContain('| `repositories[].deploy.tekton.mode` | string | `"pipelinerun"` |');
    expect(page).toContain('| `server.port` | integer | — | 0–65535 |');
    expect(page).toContain('| `groups.<name>.max_parallel` | integer | `5` | ≥ 1 |');
    expect(page).toContain('| `notifications.max_retries` | integer | `3` | ≥ 0 |');
    expect(page).toMatch(/\| `global\.log_level` \| string \| `"info"` \| `trace`, `debug`/);
    // No cell is left empty: every key has a description.
    expect(page).not.toMatch(/\|\s+\|\n/);
    expect(renderConfigReference(core)).toBe(page);
  });

  it('is committed up to date', async () => {
    const { renderConfigReference, REFERENCE_PATH, REGENERATE_COMMAND } = await loadScript();
    const committed = readFileSync(path.join(ROOT, REFERENCE_PATH), 'utf8');
    expect(committed, `${REFERENCE_PATH} is stale: run \`${REGENERATE_COMMAND}\` and commit the result`).toBe(
      renderConfigReference(core),
    );
  });
});
