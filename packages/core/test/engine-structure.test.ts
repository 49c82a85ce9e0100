import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The engine stays a pipeline of small files behind a thin facade (issue 11). */
const ENGINE = path.resolve(__dirname, '../src/engine');
const lines = (file: string) => readFileSync(path.join(ENGINE, file), 'utf8').split('\n').length - 1;

describe('the engine’s structure', () => {
  it('has no file over 250 lines', () => {
    const long = readdirSync(ENGINE)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => ({ file, lines: lines(file) }))
      .filter((entry) => entry.lines > 250);
    expect(long).toEqual([]);
  });

  it('keeps createSentry a facade under 150 lines', () => {
    const source = readFileSync(path.join(ENGINE, 'sentry.ts'), 'utf8').split('\n');
    const start = source.findIndex((line) => line.startsWith('export async function createSentry('));
    const end = source.findIndex((line, index) => index > start && line === '}');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end - start + 1).toBeLessThan(150);
  });
});
