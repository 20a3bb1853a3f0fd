import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Most tests spend their time waiting for an action's own node process and the simulator, not on the
    // CPU, so more test files run at once than there are cores (on 2 cores: 232 s with vitest's default of
    // one worker, 148 s with four).
    maxWorkers: 4,
    unstubEnvs: true,
    restoreMocks: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
