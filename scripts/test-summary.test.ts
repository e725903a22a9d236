import { describe, expect, it } from 'vitest';
import { summarize } from './test-summary.mjs';

const report = (passed: number, failed: number, pending = 0, todo = 0) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: pending,
  numTodoTests: todo,
});

describe('npm test closing line', () => {
  it('adds up tests over the unit and browser reports', () => {
    const { lines, exitCode } = summarize([report(10, 0, 1), report(5, 0, 0, 2)], []);
    expect(lines).toEqual(['15 passed, 0 failed, 3 skipped']);
    expect(exitCode).toBe(0);
  });

  it('counts a failing test once, as a test', () => {
    const { lines, exitCode } = summarize([report(10, 1), report(5, 0)], []);
    expect(lines.at(-1)).toBe('15 passed, 1 failed, 0 skipped');
    expect(lines).toHaveLength(1);
    expect(exitCode).toBe(1);
  });

  it('reports failed steps on their own line, never as failed tests, and still fails', () => {
    const { lines, exitCode } = summarize([report(10, 1)], ['type check (svelte-check + tsc) (exit 1)']);
    expect(lines).toEqual(['1 step(s) failed: type check (svelte-check + tsc) (exit 1)', '10 passed, 1 failed, 0 skipped']);
    expect(exitCode).toBe(1);
    const onlyStep = summarize([report(3, 0)], ['production build (exit 1)']);
    expect(onlyStep.lines.at(-1)).toBe('3 passed, 0 failed, 0 skipped');
    expect(onlyStep.exitCode).toBe(1);
  });
});
