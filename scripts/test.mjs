#!/usr/bin/env node
// Runs every test the project has — type check, unit tests in Node, a production build and
// the browser tests in Chromium — and ends with one plain "N passed, N failed, N skipped" line
// (vitest's own closing line is not one CI reads).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { summarize } from './test-summary.mjs';

const out = resolve(process.env.SHOAL_TEST_OUT ?? '.ci/out');
mkdirSync(out, { recursive: true });
const bin = (name) => resolve('node_modules/.bin', name);
/** Steps that failed in a way the test counts do not show (see test-summary.mjs). */
const failedSteps = [];

function run(label, cmd, args) {
  console.error(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) console.error(`✗ ${label} exited with ${r.status}`);
  return r.status;
}

function step(label, cmd, args) {
  const status = run(label, cmd, args);
  if (status !== 0) failedSteps.push(`${label} (exit ${status})`);
  return status === 0;
}

const reports = [];
function vitest(label, config, file) {
  const json = resolve(out, file);
  rmSync(json, { force: true });
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`];
  if (config) args.push('-c', config);
  const status = run(label, bin('vitest'), args);
  if (!existsSync(json)) {
    failedSteps.push(`${label} (no report written)`);
    return;
  }
  reports.push(json);
  const r = JSON.parse(readFileSync(json, 'utf8'));
  // Failing tests are counted as tests; a non-zero exit without one (a file that does not load,
  // an unhandled error between tests) is a failed step.
  if (status !== 0 && r.numFailedTests === 0) failedSteps.push(`${label} (exit ${status}, no failed test)`);
}

step('type check (svelte-check + tsc)', 'npm', ['run', '--silent', 'check']);
vitest('unit tests', null, 'unit.json');
if (step('production build', bin('vite'), ['build', '--logLevel', 'warn'])) {
  console.error(`browser-test screenshots of failures go to ${resolve(out, 'screenshots')}`);
  vitest('browser tests (Chromium)', 'vitest.e2e.config.ts', 'e2e.json');
}

const { lines, exitCode } = summarize(
  reports.map((file) => JSON.parse(readFileSync(file, 'utf8'))),
  failedSteps,
);
for (const line of lines) console.log(line);
process.exit(exitCode);
