import { describe, expect, it } from 'vitest';
import { toCloneUrl } from '../src/clone.js';

describe('toCloneUrl', () => {
  it('turns local paths into file:// URLs and leaves remote addresses alone', () => {
    expect(toCloneUrl('/srv/qa.git')).toBe('file:///srv/qa.git');
    expect(toCloneUrl('/srv/with space.git')).toBe('file:///srv/with%20space.git');
    expect(toCloneUrl('https://host/q.git')).toBe('https://host/q.git');
    expect(toCloneUrl('git@host:q.git')).toBe('git@host:q.git');
    expect(toCloneUrl('file:///srv/q.git')).toBe('file:///srv/q.git');
  });
});
