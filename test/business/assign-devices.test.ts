import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBusinessSimulator, type BusinessAccount, type BusinessSimulator, type MdmServerRecord } from '../../simulator/business/index.js';
import { findLeaks, runStep, type StepResult } from '../support/runner.js';

let sim: BusinessSimulator;
let account: BusinessAccount;
let jamf: MdmServerRecord;
let intune: MdmServerRecord;
let onPoll: ((id: string, n: number) => void) | undefined;

const SERIALS = ['C02XK1AAJGH5', 'C02XK1ABJGH5', 'C02XK1ACJGH5'];

beforeAll(async () => {
  sim = await startBusinessSimulator({ pollsToComplete: 2, onActivityPoll: (id, n) => onPoll?.(id, n) });
  account = sim.addAccount();
  jamf = sim.seed.mdmServer({ serverName: 'Jamf Pro' });
  intune = sim.seed.mdmServer({ serverName: 'Intune' });
  for (let i = 0; i < 40; i++) sim.seed.device({ serialNumber: `F9FXP${String(i).padStart(5, '0')}Q1` });
});
afterAll(async () => sim?.close());
beforeEach(() => {
  onPoll = undefined;
  sim.faults.clear();
  sim.clearRequests();
});

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': account.clientId,
    'key-id': account.keyId,
    'private-key': account.privateKeyPem,
    'api-base-url': sim.url,
    'token-url': sim.tokenUrl,
    'device-management-service': 'Jamf Pro',
    'poll-interval-seconds': '0',
    ...extra,
  };
}

/** Runs the bundled action and checks that no secret appears anywhere it wrote. */
async function run(extra: Record<string, string> = {}): Promise<StepResult> {
  const r = await runStep('assign-devices', inputs(extra));
  const issued = sim.issued();
  const secrets = [account.privateKeyPem, ...issued.clientAssertions, ...issued.accessTokens];
  const everything = [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs), JSON.stringify(r.state)].join('\n');
  expect(findLeaks(everything, secrets)).toEqual([]);
  return r;
}

const posts = (): number => sim.requests.filter((q) => q.method === 'POST' && q.path === '/v1/orgDeviceActivities').length;
/** Puts the three test devices on a service (or on none) before a test. */
const place = (serverId: string | null): void => {
  for (const s of SERIALS) sim.seed.device({ serialNumber: s, assignedServerId: serverId });
};
const serverOf = (serial: string): string | null => sim.state().devices.find((d) => d.serialNumber === serial)?.assignedServerId ?? null;

describe('assign-devices against the Apple Business API simulator', () => {
  it('assigns listed devices to a service by name, waits for the activity and reports counts and a summary', async () => {
    for (const s of SERIALS) sim.seed.device({ serialNumber: s, assignedServerId: s === SERIALS[2] ? intune.id : null });
    const r = await run({ 'serial-numbers': `# lab devices\n${SERIALS[0]?.toLowerCase()}\n${SERIALS[1]}, ${SERIALS[2]}\n` });
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      status: 'COMPLETED',
      'sub-status': 'COMPLETED_WITH_SUCCESS',
      assigned: '3',
      failed: '0',
      unchanged: '0',
      'device-management-service-id': jamf.id,
    });
    expect(r.outputs['activity-id']).toMatch(/^[0-9a-f-]{36}$/);
    for (const s of SERIALS) expect(serverOf(s)).toBe(jamf.id);
    expect(posts()).toBe(1);
    const body = sim.requests.find((q) => q.method === 'POST' && q.path === '/v1/orgDeviceActivities')?.body;
    expect(body).toMatchObject({
      data: {
        type: 'orgDeviceActivities',
        attributes: { activityType: 'ASSIGN_DEVICES' },
        relationships: { mdmServer: { data: { type: 'mdmServers', id: jamf.id } } },
      },
    });
    expect(r.summary).toContain('<table>');
    expect(r.summary).toContain(SERIALS[2]);
    expect(r.summary).toContain('assigned elsewhere');
    // The access token was fetched once and reused for every call.
    expect(sim.requests.filter((q) => q.path === '/auth/oauth2/token')).toHaveLength(1);
    expect(sim.requests.filter((q) => q.path.startsWith('/v1/')).every((q) => q.status < 400)).toBe(true);
  });

  it('sends nothing when every device is already assigned to the service', async () => {
    place(jamf.id);
    const r = await run({ 'serial-numbers': SERIALS.join('\n') });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ 'activity-id': '', status: 'COMPLETED', assigned: '0', unchanged: '3', failed: '0' });
    expect(posts()).toBe(0);
  });

  it('unassigns devices from the service by ID and leaves devices on other services alone', async () => {
    place(jamf.id);
    sim.seed.device({ serialNumber: 'DMPXW0AAQ1GC', assignedServerId: intune.id });
    const r = await run({ 'serial-numbers': [...SERIALS, 'DMPXW0AAQ1GC'].join(','), action: 'unassign', 'device-management-service': jamf.id });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'COMPLETED', assigned: '3', unchanged: '1', failed: '0' });
    for (const s of SERIALS) expect(serverOf(s)).toBeNull();
    expect(serverOf('DMPXW0AAQ1GC')).toBe(intune.id);
    const body = sim.requests.find((q) => q.method === 'POST' && q.path === '/v1/orgDeviceActivities')?.body as {
      data: { attributes: unknown; relationships: { devices: { data: unknown[] } } };
    };
    expect(body.data.attributes).toEqual({ activityType: 'UNASSIGN_DEVICES' });
    expect(body.data.relationships.devices.data).toHaveLength(3);
  });

  it('renews the access token when it expires between polls and carries on', async () => {
    place(intune.id);
    onPoll = (_id, n) => {
      if (n === 1) sim.expireTokens();
    };
    const r = await run({ 'serial-numbers': SERIALS.join('\n') });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'COMPLETED', assigned: '3' });
    const refused = sim.requests.filter((q) => q.status === 401);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.path).toMatch(/^\/v1\/orgDeviceActivities\//);
    expect(sim.requests.filter((q) => q.path === '/auth/oauth2/token' && q.status === 200)).toHaveLength(2);
    // The request that got the 401 was sent again and succeeded.
    const afterRefusal = sim.requests.slice(sim.requests.indexOf(refused[0] as (typeof refused)[number]) + 1);
    expect(afterRefusal.find((q) => q.path.startsWith('/v1/'))).toMatchObject({ method: 'GET', status: 200, path: refused[0]?.path });
  });

  it('waits out a 429 with Retry-After on the activity POST and creates exactly one activity', async () => {
    place(null);
    sim.faults.add({ method: 'POST', path: '/v1/orgDeviceActivities', status: 429, retryAfter: 1 });
    const started = Date.now();
    const r = await run({ 'serial-numbers': SERIALS.join('\n') });
    expect(r.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sim.requests.filter((q) => q.path === '/v1/orgDeviceActivities').map((q) => q.status)).toEqual([429, 201]);
    expect(r.outputs).toMatchObject({ status: 'COMPLETED', assigned: '3' });
  });

  it('never sends the activity twice when its answer is lost, and says a rerun is safe', async () => {
    place(null);
    sim.faults.add({ method: 'POST', path: '/v1/orgDeviceActivities', drop: true });
    const r = await run({ 'serial-numbers': SERIALS.join('\n') });
    expect(r.exitCode).toBe(1);
    expect(r.errors[0]).toMatch(
      /^The request creating the ASSIGN_DEVICES activity got no answer \(\w+\), so Apple may or may not have created it; run the step again/,
    );
    expect(sim.requests.filter((q) => q.method === 'POST' && q.path === '/v1/orgDeviceActivities')).toHaveLength(1);
  });

  it('fails with one sentence listing the known services when the service name is unknown, and sends nothing', async () => {
    const r = await run({ 'serial-numbers': SERIALS[0] as string, 'device-management-service': 'Jamf Cloud' });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      "device-management-service is 'Jamf Cloud', but the organisation has no device management service of that name or ID; the known ones are 'Jamf Pro', 'Intune'.",
    ]);
    expect(sim.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/v1/'))).toHaveLength(0);
  });

  it('names the serial numbers that are not in the organisation and sends nothing', async () => {
    const r = await run({ 'serial-numbers': `${SERIALS[0]}\nXXXX0000YYYY\nZZZZ1111WWWW` });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('2 of 3 serial numbers are not in the organisation (XXXX0000YYYY, ZZZZ1111WWWW), so nothing was sent');
    expect(posts()).toBe(0);
  });

  it('fails the step and counts every device as failed when the activity fails', async () => {
    place(jamf.id);
    sim.failNextActivity();
    const r = await run({ 'serial-numbers': SERIALS.join('\n'), 'device-management-service': 'Intune' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'FAILED', 'sub-status': 'COMPLETED_WITH_FAILURE', assigned: '0', failed: '3' });
    expect(r.errors[0]).toMatch(/^Activity [0-9a-f-]{36} ended FAILED \(COMPLETED_WITH_FAILURE\): 3 of 3 device\(s\) sent were not assigned to 'Intune'/);
    for (const s of SERIALS) expect(serverOf(s)).toBe(jamf.id);
  });

  it('finds which devices failed when an activity completes with errors', async () => {
    place(null);
    sim.failNextActivity({ status: 'COMPLETED', failSerials: [SERIALS[1] as string] });
    const r = await run({ 'serial-numbers': SERIALS.join('\n'), 'device-management-service': 'Intune' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'COMPLETED', 'sub-status': 'COMPLETED_WITH_ERROR', assigned: '2', failed: '1' });
    expect(JSON.parse(r.outputs['devices'] ?? '[]')).toContainEqual({ serialNumber: SERIALS[1], result: 'failed' });
    expect(r.errors[0]).toContain(`(${SERIALS[1]})`);
  });

  it('with wait false, creates the activity and reports it IN_PROGRESS without polling', async () => {
    place(null);
    const dir = await mkdtemp(path.join(tmpdir(), 'serials-'));
    const file = path.join(dir, 'devices.csv');
    await writeFile(file, `Serial Number,Model\n${SERIALS.map((s) => `${s},iPhone`).join('\n')}\n`);
    const r = await run({ 'serial-numbers-file': file, wait: 'false' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'IN_PROGRESS', 'sub-status': 'SUBMITTED', submitted: '3', assigned: '0', failed: '0' });
    expect(sim.requests.filter((q) => q.method === 'GET' && q.path.startsWith('/v1/orgDeviceActivities/'))).toHaveLength(0);
  });

  it('refuses a client assertion signed with the wrong key with one sentence that names what to check', async () => {
    const other = sim.addAccount();
    const r = await run({ 'serial-numbers': SERIALS[0] as string, 'private-key': other.privateKeyPem });
    expect(r.exitCode).toBe(1);
    expect(r.errors[0]).toMatch(
      /^Apple's token endpoint .* refused the client assertion for client BUSINESSAPI\.[0-9a-f-]+: 400 invalid_client; check that client-id, key-id and private-key/,
    );
    expect(sim.requests.find((q) => q.path === '/auth/oauth2/token')?.authError).toBe('bad signature');
    expect(findLeaks(r.stdout, [other.privateKeyPem])).toEqual([]);
  });

  it('reads a CSV whose serial column follows a quoted model name holding a comma, and a quoted model in a plain list', async () => {
    place(null);
    const dir = await mkdtemp(path.join(tmpdir(), 'serials-'));
    const file = path.join(dir, 'export.csv');
    await writeFile(file, `\uFEFFModel,Serial Number\r\n"iPad Pro (11-inch), Wi-Fi",${SERIALS[0]}\r\n"iPhone 15, blue",${SERIALS[1]}\r\n`);
    const r = await run({ 'serial-numbers-file': file, 'serial-numbers': `"iPad Pro (11-inch), Wi-Fi",${SERIALS[2]}`, wait: 'false' });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ submitted: '3', failed: '0' });
    expect(
      JSON.parse(r.outputs['devices'] ?? '[]')
        .map((d: { serialNumber: string }) => d.serialNumber)
        .sort(),
    ).toEqual([...SERIALS].sort());
  });

  it('rejects a malformed serial number before any request', async () => {
    const r = await run({ 'serial-numbers': `${SERIALS[0]}\nnot-a-serial` });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      "Input serial-numbers has an entry that is not a serial number ('NOT-A-SERIAL'); give serial numbers of 8 to 20 letters and digits, one a line or separated by commas.",
    ]);
    expect(sim.requests).toHaveLength(0);
    // The key was masked line by line (the runner matches masks within one line) and as base64, before anything else.
    const masks = r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    const body = account.privateKeyPem.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'));
    for (const line of [...body, body.join(''), Buffer.from(account.privateKeyPem.trim()).toString('base64')]) expect(masks).toContain(`::add-mask::${line}`);
  });
});

describe('assign-devices: URLs and advice', () => {
  it('names the token URL and token-url when the token endpoint cannot be reached', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await run({ 'token-url': `http://127.0.0.1:${port}/auth/oauth2/token`, 'serial-numbers': SERIALS[0] ?? '' });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      `Could not reach http://127.0.0.1:${port}/auth/oauth2/token (POST): ECONNREFUSED. Check the network, token-url and any HTTPS_PROXY/NO_PROXY settings, then run the job again.`,
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses a plain-http token-url on a host other than loopback, naming the input, before any request', async () => {
    const r = await run({ 'token-url': 'http://account.apple.com/auth/oauth2/token', 'serial-numbers': SERIALS[0] ?? '' });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      "Input token-url is 'http://account.apple.com/auth/oauth2/token', but it takes an https URL such as https://account.apple.com/auth/oauth2/token (plain http only for a loopback host such as 127.0.0.1 or localhost).",
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  it("gives Apple Business advice, not App Store Connect's, when Apple refuses a request", async () => {
    sim.faults.add({ method: 'GET', path: '/v1/mdmServers', status: 403 });
    const r = await run({ 'serial-numbers': SERIALS[0] ?? '' });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Apple refused GET \/v1\/mdmServers: 403 /);
    expect(r.errors[0]).toMatch(/\. The API account may not do this; check its access in Apple Business \(Preferences > API\)\.$/);
    expect(r.errors[0]).not.toContain('Users and Access');
  });
});
