/**
 * The setup most action test files share: before every test a fresh simulator with one team key, and
 * after it a check of all the test's traffic against Apple's spec (test/support/openapi.ts) and the
 * simulator closed, even when that check fails.
 */
import { afterEach, beforeEach } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator, type SimulatorOptions } from '../../simulator/index.js';
import { assertTrafficValid } from './openapi.js';

/** `started` receives each test's simulator and key (and may seed the account) before the test runs. */
export function simulatorPerTest(opts: SimulatorOptions, started: (sim: Simulator, key: ApiKeyCredentials) => void | Promise<void>): void {
  let current: Simulator | undefined;
  beforeEach(async () => {
    current = await startSimulator(opts);
    await started(current, current.addKey());
  });
  afterEach(async () => {
    const sim = current;
    current = undefined;
    if (!sim) return;
    try {
      assertTrafficValid(sim.requests);
    } finally {
      await sim.close();
    }
  });
}
