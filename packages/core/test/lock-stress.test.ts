import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempdir } from '@sentry-git/test-utils';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { countDoubleHolders, runLockStress } from './lock-stress/run.js';

const SOURCES = ['lock-file.ts', 'lock-take.ts'].map((name) =>
  fileURLToPath(new URL(`../src/${name}`, import.meta.url)),
);

/**
 * The contenders are plain node processes: they run core's lock sources compiled to JavaScript
 * (both files import only node's own modules), not a build that could be stale.
 */
async function compiledLock(dir: string): Promise<string> {
  for (const source of SOURCES) {
    const { outputText } = ts.transpileModule(await readFile(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(path.join(dir, path.basename(source).replace(/\.ts$/, '.js')), outputText);
  }
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const adapter = path.join(dir, 'adapter.js');
  await writeFile(
    adapter,
    `import { takeLockFile } from './lock-take.js';
export function tryLock(file, owner) {
  const attempt = takeLockFile(file, [owner]);
  return attempt.acquired ? attempt.lock : null;
}
`,
  );
  return adapter;
}

describe('lock stress', () => {
  it('counts a hold that starts before another ended as a double holder', () => {
    expect(countDoubleHolders('start a 1\nend a 1\nstart b 1\nend b 1\n')).toBe(0);
    expect(countDoubleHolders('start a 1\nstart b 1\nend a 1\nend b 1\nstart a 2\nend a 2\n')).toBe(1);
  });

  it('4 processes contending in a loop, dead holders among them: never two holders at once', async () => {
    const code = await tempdir();
    const result = await runLockStress({
      adapter: await compiledLock(code),
      dir: await tempdir(),
      contenders: 4,
      holds: 250,
      // Every 5th hold dies holding the lock: the others race to take a dead holder's lock over.
      abandonEvery: 5,
    });
    expect(result.holds).toBe(1000);
    // Contended: more tries than holds, or the test proves nothing.
    expect(result.attempts).toBeGreaterThan(result.holds);
    expect({ doubleHolders: result.doubleHolders, collisions: result.collisions }).toEqual({
      doubleHolders: 0,
      collisions: 0,
    });
  });
});
