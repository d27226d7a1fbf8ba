import { basename } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Seconds each VM file took in CI on this project's machine kind (2 vCPUs, two files at once; 2026-12-05 22:14 UTC run).
 * The e2e
 * files start longest first, so the two workers finish close together instead of one running a long file alone at
 * the end (a clean clone has no vitest cache, and the default order is by file size). A file not listed starts first.
 */
const E2E_SECONDS: Record<string, number> = {
  'verify.test.ts': 1460,
  'keepalived.test.ts': 1211,
  'trust.test.ts': 1155,
  'tun.test.ts': 1121,
  'tutor.test.ts': 1114,
  'dr.test.ts': 775,
  'converge.test.ts': 686,
  'classroom.test.ts': 637,
  'snapshot.test.ts': 637,
  'vagrant.test.ts': 364,
  'vm.test.ts': 362,
  'lab-data.test.ts': 337,
  'knownhosts.test.ts': 22,
};

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification) => E2E_SECONDS[basename(f.moduleId)] ?? Number.MAX_SAFE_INTEGER;
    // Stable: files not in the table (every unit file) keep the default order among themselves.
    const byDefault = await super.sort(files);
    return byDefault.map((f, i) => ({ f, i })).sort((a, b) => seconds(b.f) - seconds(a.f) || a.i - b.i).map(({ f }) => f);
  }
}

/** The VM suites' settings, shared by the e2e and e2e-solo projects. */
const vmSuite = {
  // Each test file gets its own connection keeper folder, and its keeper is stopped by PID afterwards; each prints its wall time.
  setupFiles: ['test/e2e/keeper-setup.ts', 'test/e2e/file-time.ts'],
  // VMs under software emulation: boot ~80 s, image build minutes.
  testTimeout: 900_000,
  hookTimeout: 1_800_000,
  fileParallelism: false,
  sequence: { concurrent: false },
};

/** The e2e files that run alone (see the e2e-solo project). */
const SOLO = ['test/e2e/classroom.test.ts', 'test/e2e/vagrant.test.ts'];

export default defineConfig({
  test: {
    // Commands run in-process (classroom) print plain text even on a machine that sets FORCE_COLOR, as in a pipe; and
    // in English on a machine whose locale reads Chinese (the tests that want Chinese set LANG themselves).
    env: { FORCE_COLOR: '0', LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' },
    sequence: { sequencer: LongestFirst },
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'] } },
      // Pages opened in headless Chromium (Debian's chromium): no VMs, but a browser this machine must have.
      { test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      {
        // Two files at once, each with its own four or five VMs, on the two cores: much of a file's time is waiting on
        // guests, SSH and apt, so the pair takes far less than the two one after the other.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: SOLO, ...vmSuite, fileParallelism: true, maxWorkers: 2 },
      },
      {
        // Files with eight guests of their own (two students' labs; Vagrant's libvirt beside lab's qemu): one at a time.
        test: { name: 'e2e-solo', include: SOLO, ...vmSuite },
      },
    ],
  },
});
