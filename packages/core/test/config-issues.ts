import { expect } from 'vitest';
import { ConfigError, type ConfigIssue } from '../src/index.js';

/** The issues of the ConfigError that `run` throws; fails the test when it throws nothing. */
export function issuesOf(run: () => unknown): ConfigIssue[] {
  const issues = issuesIfAny(run);
  if (issues.length === 0) throw new Error('expected a ConfigError');
  return issues;
}

/** The issues of the ConfigError that `run` throws, or none when it passes. */
export function issuesIfAny(run: () => unknown): ConfigIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  return [];
}
