#!/usr/bin/env node
// Runs every test the project has — type check, unit tests in Node, a production build and
// the browser tests in Chromium — and ends with one plain "N passed, N failed, N skipped" line
// (vitest's own closing line is not one CI reads).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const out = resolve(process.env.SHOAL_TEST_OUT ?? '.ci/out');
mkdirSync(out, { recursive: true });
const bin = (name) => resolve('node_modules/.bin', name);
let failedSteps = 0;

function step(label, cmd, args) {
  console.error(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failedSteps++;
    console.error(`✗ ${label} exited with ${r.status}`);
  }
  return r.status === 0;
}

const reports = [];
function vitest(label, config, file) {
  const json = resolve(out, file);
  rmSync(json, { force: true });
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`];
  if (config) args.push('-c', config);
  step(label, bin('vitest'), args);
  if (existsSync(json)) reports.push(json);
  else { failedSteps++; console.error(`✗ ${label}: no report written`); }
}

step('type check (svelte-check + tsc)', 'npm', ['run', '--silent', 'check']);
vitest('unit tests', null, 'unit.json');
if (step('production build', bin('vite'), ['build', '--logLevel', 'warn'])) {
  console.error(`browser-test screenshots of failures go to ${resolve(out, 'screenshots')}`);
  vitest('browser tests (Chromium)', 'vitest.e2e.config.ts', 'e2e.json');
}

let passed = 0, failed = 0, skipped = 0;
for (const file of reports) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
// A step that failed without a failing test (type errors, a broken build) still fails the run.
failed += failedSteps;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
