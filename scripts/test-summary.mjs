// The closing line of `npm test` (scripts/test.mjs), kept apart so a unit test can check it.
// Plain JavaScript: test.mjs runs in bare Node, before anything is compiled.

/**
 * @param {{ numPassedTests: number, numFailedTests: number, numPendingTests: number, numTodoTests?: number }[]} reports
 *   vitest JSON reports
 * @param {string[]} failedSteps steps that failed in a way no test count shows: a type error, a
 *   broken build, a runner that exited non-zero without a failing test, a missing report
 * @returns {{ lines: string[], exitCode: number }} `lines` end with the one CI reads:
 *   `N passed, N failed, N skipped`, which counts tests only; failed steps get a line of their own
 *   before it and still make the exit code non-zero.
 */
export function summarize(reports, failedSteps) {
  let passed = 0,
    failed = 0,
    skipped = 0;
  for (const r of reports) {
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
  const lines = [];
  if (failedSteps.length) lines.push(`${failedSteps.length} step(s) failed: ${failedSteps.join('; ')}`);
  lines.push(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return { lines, exitCode: failed || failedSteps.length ? 1 : 0 };
}
