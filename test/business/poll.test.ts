import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivity, waitForActivity } from '../../src/business/activities.js';
import { createBusinessClient } from '../../src/business/client.js';
import { API_KEY } from '../../src/apple/api.js';
import { parseEcPrivateKey } from '../../src/core/keys.js';
import { startBusinessSimulator, type BusinessSimulator } from '../../simulator/business/index.js';

let sim: BusinessSimulator;
beforeAll(async () => {
  sim = await startBusinessSimulator({ pollsToComplete: 1000 });
});
afterAll(async () => sim?.close());

describe('waiting for an org device activity', () => {
  it('polls with growing waits capped at the maximum, and gives up at the timeout with the last state', async () => {
    const account = sim.addAccount();
    const server = sim.seed.mdmServer({ serverName: 'Slow MDM' });
    sim.seed.device({ serialNumber: 'SLOW0000001' });
    const { http } = createBusinessClient(
      {
        clientId: account.clientId,
        keyId: account.keyId,
        privateKey: parseEcPrivateKey(account.privateKeyPem, API_KEY),
        scope: 'business.api',
        baseUrl: sim.url,
        tokenUrl: sim.tokenUrl,
      },
      { mask: () => undefined },
    );
    const started = await createActivity(http, 'ASSIGN_DEVICES', server.id, ['SLOW0000001']);
    let clock = 0;
    const waits: number[] = [];
    const r = await waitForActivity(http, started, {
      intervalMs: 5000,
      maxIntervalMs: 20_000,
      timeoutMs: 120_000,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    expect(r.timedOut).toBe(true);
    expect(r.activity.attributes?.status).toBe('IN_PROGRESS');
    expect(waits.slice(0, 5)).toEqual([5000, 7500, 11_250, 16_875, 20_000]);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120_000);
    expect(r.polls).toBe(waits.length);
    expect(sim.state().activities[0]?.polls).toBe(r.polls);
  });
});
