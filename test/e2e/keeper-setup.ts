// Every e2e test file runs lab with a connection keeper folder of its own, and stops that keeper (by PID) at the end,
// so no keeper outlives the tests and no file reuses another file's connections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { stopKeeper } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-keeper-'));
process.env.LAB_KEEPER_DIR = dir;

afterAll(async () => {
  try {
    await stopKeeper();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
