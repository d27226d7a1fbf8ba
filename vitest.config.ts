import { defineConfig } from 'vitest/config';

/** The VM suites' settings, shared by the e2e project (in `npm test`) and e2e-next (written, not yet in `npm test`). */
const vmSuite = {
  // Each test file gets its own connection keeper folder, and its keeper is stopped by PID afterwards; each prints its wall time.
  setupFiles: ['test/e2e/keeper-setup.ts', 'test/e2e/file-time.ts'],
  // VMs under software emulation: boot ~80 s, image build minutes.
  testTimeout: 900_000,
  hookTimeout: 1_800_000,
  fileParallelism: false,
  sequence: { concurrent: false },
};

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'] } },
      {
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...vmSuite },
      },
      {
        // See test/e2e-next/README.md: run with `npx vitest run --project e2e-next FILE`.
        test: { name: 'e2e-next', include: ['test/e2e-next/**/*.test.ts'], ...vmSuite },
      },
    ],
  },
});
