// Every e2e test file prints its own wall time at the end, so the suite's cost per file shows in the test output.
import { basename } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

let started = 0;

beforeAll(() => {
  started = Date.now();
});

afterAll(() => {
  const file = expect.getState().testPath ?? 'this file';
  const mode = process.env.LAB_E2E_FROM_SCRATCH === '1' ? ' (from scratch)' : '';
  console.log(`e2e file time: ${basename(file)} took ${((Date.now() - started) / 1000).toFixed(1)} s${mode}`);
});
