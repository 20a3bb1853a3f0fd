import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Most tests spend their time waiting for an action's own node process and the simulator, not on the
    // CPU, so more test files run at once than there are cores (on 2 cores: 232 s with vitest's default of
    // one worker, 148 s with four).
    maxWorkers: 4,
    // The files a worker runs share its module cache instead of each importing the simulator, node-forge,
    // ajv and the sources afresh: that import work was nearly a third of the suite's CPU (2 cores: 285 s of
    // CPU and 145-171 s with isolation; 202 s and about 106 s without). No test keeps state in a module: env stubs and mocks are undone
    // after each test, and the few tests that set process.env or the working directory put them back.
    isolate: false,
    unstubEnvs: true,
    restoreMocks: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
