import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBusinessSimulator, type BusinessSimulator } from '../../simulator/business/index.js';
import { findLeaks, runStep } from '../support/runner.js';

let sim: BusinessSimulator;
const ORG_SIZE = 2600;
const serial = (i: number): string => `ORG${String(i).padStart(7, '0')}X`;

beforeAll(async () => {
  sim = await startBusinessSimulator({ pollsToComplete: 1 });
  sim.seed.mdmServer({ serverName: 'Workspace ONE' });
  for (let i = 0; i < ORG_SIZE; i++) sim.seed.device({ serialNumber: serial(i) });
});
afterAll(async () => sim?.close());

function baseInputs(account: { clientId: string; keyId: string; privateKeyPem: string }): Record<string, string> {
  return {
    'client-id': account.clientId,
    'key-id': account.keyId,
    'private-key': account.privateKeyPem,
    'api-base-url': sim.url,
    'token-url': sim.tokenUrl,
    'device-management-service': 'workspace one',
    'poll-interval-seconds': '0',
  };
}

const orgDeviceGets = (): string[] =>
  sim.requests
    .filter((q) => q.method === 'GET' && q.path.startsWith('/v1/orgDevices'))
    .map((q) => `${q.path}${q.query['limit'] ? `?limit=${q.query['limit']}` : ''}${q.query['cursor'] ? '&cursor' : ''}`);

describe('assign-devices in a large organisation', () => {
  it(`finds 2 serial numbers among ${ORG_SIZE} devices with one page and two single look-ups`, async () => {
    sim.clearRequests();
    const account = sim.addAccount();
    const r = await runStep('assign-devices', { ...baseInputs(account), 'serial-numbers': `${serial(2590)}\n${serial(1500)}` });
    expect(r.errors).toEqual([]);
    expect(r.outputs).toMatchObject({ assigned: '2', failed: '0' });
    expect(orgDeviceGets()).toEqual(['/v1/orgDevices?limit=1000', `/v1/orgDevices/${serial(2590)}`, `/v1/orgDevices/${serial(1500)}`]);
  });

  it('pages at 1000 a page and stops as soon as all of many serial numbers are found', async () => {
    sim.clearRequests();
    const account = sim.addAccount();
    const list = Array.from({ length: 30 }, (_, i) => serial(100 + i * 60)); // 100 … 1840: the first two pages
    const r = await runStep('assign-devices', { ...baseInputs(account), 'serial-numbers': list.join('\n') });
    expect(r.errors).toEqual([]);
    expect(r.outputs).toMatchObject({ assigned: '30', failed: '0' });
    expect(orgDeviceGets()).toEqual(['/v1/orgDevices?limit=1000', '/v1/orgDevices?limit=1000&cursor']);
    // 30 unassigned devices need no check against the service's device list before the activity.
    expect(sim.requests.filter((q) => q.path.endsWith('/relationships/devices'))).toHaveLength(0);
  });
});

describe('assign-devices service choice', () => {
  it('asks for the ID when two services share the name, and then works with the ID', async () => {
    const a = sim.seed.mdmServer({ serverName: 'Kandji' });
    const b = sim.seed.mdmServer({ serverName: 'Kandji' });
    const account = sim.addAccount();
    const r = await runStep('assign-devices', { ...baseInputs(account), 'device-management-service': 'Kandji', 'serial-numbers': serial(11) });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      `device-management-service 'Kandji' names 2 device management services (IDs ${a.id}, ${b.id}); pass the ID of the one you mean.`,
    ]);
    const ok = await runStep('assign-devices', { ...baseInputs(account), 'device-management-service': b.id, 'serial-numbers': serial(11) });
    expect(ok.errors).toEqual([]);
    expect(sim.state().devices.find((d) => d.serialNumber === serial(11))?.assignedServerId).toBe(b.id);
  });
});

describe('assign-devices authentication', () => {
  it('uses school.api for a SCHOOLAPI client ID when scope is not given', async () => {
    sim.clearRequests();
    const account = sim.addAccount({ scope: 'school.api' });
    const r = await runStep('assign-devices', { ...baseInputs(account), 'serial-numbers': serial(7), wait: 'false' });
    expect(r.errors).toEqual([]);
    expect(sim.requests.find((q) => q.path === '/auth/oauth2/token')).toMatchObject({
      status: 200,
      body: { scope: 'school.api', client_id: account.clientId, client_assertion: '[redacted]' },
    });
  });

  it('retries the token request after a 503 with a fresh client assertion', async () => {
    sim.clearRequests();
    const account = sim.addAccount();
    sim.faults.add({ path: '/auth/oauth2/token', status: 503 });
    const r = await runStep('assign-devices', { ...baseInputs(account), 'serial-numbers': serial(8), wait: 'false' });
    expect(r.errors).toEqual([]);
    expect(sim.requests.filter((q) => q.path === '/auth/oauth2/token').map((q) => q.status)).toEqual([503, 200]);
    // The token request waits in the same retry loop as every other request, and says so.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('Waiting'))).toEqual([
      expect.stringMatching(/^Waiting \d+ ms before retrying POST \/auth\/oauth2\/token \(503; retry 1 of 4\)\.$/),
    ]);
    const issued = sim.issued();
    expect(findLeaks(r.stdout + r.summary, [account.privateKeyPem, ...issued.clientAssertions, ...issued.accessTokens])).toEqual([]);
  });

  it('explains an RSA private key in Apple Business terms, without showing it', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const account = sim.addAccount();
    const r = await runStep('assign-devices', { ...baseInputs(account), 'private-key': rsa, 'serial-numbers': serial(9) });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      'private-key is an RSA key, but Apple Business API keys are P-256 (EC) keys; pass the private key (.pem) downloaded when the API account was made in Apple Business.',
    ]);
    expect(findLeaks(r.stdout, [rsa])).toEqual([]);
  });
});
