import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { resolveTarget } from '../src/address.js';

/**
 * V8's `%HaveSameMap`: whether two objects share a hidden class. Objects made alike that do not
 * each carry a map and a descriptor array of their own, which a resolved target per repository
 * held for the life of `watch` (about 250 bytes per repository).
 */
function haveSameHiddenClass(a: object, b: object): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return new Function('a', 'b', 'return %HaveSameMap(a, b)')(a, b) as boolean;
}

describe('resolved targets', () => {
  it('of many repositories share one hidden class', () => {
    const targets = Array.from({ length: 20 }, (_, i) =>
      resolveTarget({
        repository: `r${i}`,
        url: `https://gitea.example.com/team/r${i}.git`,
        type: 'gitea',
        apiBaseUrl: 'http://127.0.0.1:3000/api/v1',
        auth: { token: 'token' },
      }),
    );
    expect(haveSameHiddenClass(targets[10] as object, targets[11] as object)).toBe(true);
    expect(haveSameHiddenClass(targets[18] as object, targets[19] as object)).toBe(true);
  });
});
