// Names from Apple's account and from a devices file are data: whatever they hold, the bundled actions
// print them so that no line the runner reads becomes a workflow command, and every secret known up front
// is masked before the first such line.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { opensslExportP12 } from '../certificates/helpers.js';
import { apiInputs } from '../profiles/helpers.js';
import { findLeaks, OWN_COMMANDS, runnerLines, runStep, workflowCommands, type StepResult } from '../support/runner.js';

/** Every injected command's data starts with INJECTED, so an own annotation that quotes a name is told apart. */
const EVIL_ACCOUNT_NAME = 'evil\n::stop-commands::INJECTED1\n::save-state name=created-keychain::/tmp/x\r::add-mask::INJECTED-MASK';
const EVIL_PROCESSING_NAME = 'slow\n  ::warning::INJECTED-W %0A::error::INJECTED-E\n##[set-output name=z]INJECTED-L\u2028\u001b[31m';
const EVIL_FILE_NAME = 'new\n::stop-commands::INJECTED2\n%0A::warning::INJECTED-W2\t##[stop-commands]INJECTED3';
const EVIL_UDID = '\n::save-state name=created-keychain::/tmp/x';

const ENABLED_UDID = '00008110-000A1B2C3D4E5F60';
const PROCESSING_UDID = '00008120-001122334455AABB';
const NEW_UDID = '00008030-000C3D4E5F607182';

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({}, (s, k) => {
  sim = s;
  key = k;
  sim.seed.bundleId({ identifier: 'com.example.app' });
  sim.seed.device({ udid: ENABLED_UDID, name: EVIL_ACCOUNT_NAME });
  sim.seed.device({ udid: PROCESSING_UDID, name: EVIL_PROCESSING_NAME, status: 'PROCESSING' });
});

async function devicesFile(): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'asa-devices-')), 'devices.json');
  const entries = [
    { udid: ENABLED_UDID, name: 'listed under another name' },
    { udid: NEW_UDID, name: EVIL_FILE_NAME },
    { udid: EVIL_UDID, name: 'bad line' },
  ];
  await writeFile(file, JSON.stringify(entries));
  return file;
}

/** Commands the runner would read that the action did not issue: a name it never uses, or data that is an injected payload. */
function foreign(run: StepResult): string[] {
  return workflowCommands(`${run.stdout}\n${run.stderr}`)
    .filter((c) => !OWN_COMMANDS.has(c.name) || c.data.startsWith('INJECTED'))
    .map((c) => c.line);
}

/** The index of the first output line that shows data from a name. */
function firstDataLine(run: StepResult): number {
  return runnerLines(run.stdout).findIndex((l) => /evil|slow|new\\n|INJECTED/.test(l) && !l.startsWith('::add-mask::'));
}
/** `secret` has its own add-mask line, printed before output line `before`. */
function expectMaskedBefore(run: StepResult, secret: string, before: number): void {
  const at = runnerLines(run.stdout).indexOf(`::add-mask::${secret}`);
  expect(at, secret).toBeGreaterThanOrEqual(0);
  expect(at, secret).toBeLessThan(before);
}

describe('names from Apple and from a devices file never become workflow commands', () => {
  it('register-devices: account names, file names and a bad UDID are printed escaped, on one line each', async () => {
    const run = await runStep('register-devices', { ...apiInputs(sim, key), 'devices-file': await devicesFile() });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['registered']).toBe('1');
    expect(foreign(run)).toEqual([]);
    // Still shown, as escapes: the account's name for the listed device and the file's name for the new one.
    expect(run.stdout).toContain('evil\\n::stop-commands::INJECTED1\\n::save-state name=created-keychain::/tmp/x\\r::add-mask::INJECTED-MASK');
    expect(run.stdout).toContain('new\\n::stop-commands::INJECTED2\\n%0A::warning::INJECTED-W2\\t##\\[stop-commands]INJECTED3');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^1 of 3 devices failed \(line 3: '::save-state name=created-keychain::\/tmp\/x' is not a UDID/);
    // The summary: HTML-escaped, and no raw line break that could end its HTML block.
    expect(run.summary).toContain('evil\\n::stop-commands::INJECTED1');
    expect(run.summary).not.toMatch(/INJECTED[^<]*\n/);
    // The runner's view: no stop-commands, so every mask line stays hidden.
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, [key.privateKeyPem, ...sim.tokensSeen()])).toEqual([]);
  });

  it('ensure-profile: a PROCESSING device name in the notice and the summary', async () => {
    sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(foreign(run)).toEqual([]);
    expect(run.notices).toEqual([
      expect.stringContaining('slow\\n  ::warning::INJECTED-W %0A::error::INJECTED-E\\n##\\[set-output name=z]INJECTED-L\\u2028\\u001b[31m'),
    ]);
    expect(run.stdout).not.toContain('\u001b');
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, [key.privateKeyPem, ...sim.tokensSeen()])).toEqual([]);
  });

  it('provision with create-if-missing: nothing from the names stops the masking of the new key, p12 and tokens', async () => {
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_DEVELOPMENT',
      'create-if-missing': 'true',
      'devices-file': await devicesFile(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['certificate-created']).toBe('true');
    expect(foreign(run)).toEqual([]);
    const secrets = [key.privateKeyPem, run.outputs['p12-base64'] ?? 'missing', run.outputs['p12-password'] ?? 'missing', ...sim.tokensSeen()];
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, secrets)).toEqual([]);
    // The API key, known up front, is masked (line by line too) before the first name is printed.
    const data = firstDataLine(run);
    expect(data).toBeGreaterThan(0);
    const body = key.privateKeyPem.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'));
    for (const line of [...body, body.join(''), Buffer.from(key.privateKeyPem.trim()).toString('base64')]) expectMaskedBefore(run, line, data);
  });

  it('provision with a p12: its password and the keys inside it are masked before the first name is printed', async () => {
    const mine = sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
    const password = 'p12-Pw-4e9a7c1d';
    const p12 = await opensslExportP12(mine.privateKeyPem, Buffer.from(mine.certificateContent, 'base64'), password);
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_DEVELOPMENT',
      p12: p12.toString('base64'),
      'p12-password': password,
      'devices-file': await devicesFile(),
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['certificate-id']).toBe(mine.id);
    expect(foreign(run)).toEqual([]);
    const data = firstDataLine(run);
    expect(data).toBeGreaterThan(0);
    expectMaskedBefore(run, password, data);
    expectMaskedBefore(run, p12.toString('base64'), data);
    // The key inside the p12: each body line masked before any name.
    for (const line of mine.privateKeyPem.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'))) expectMaskedBefore(run, line, data);
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, [mine.privateKeyPem, password, key.privateKeyPem, ...sim.tokensSeen()])).toEqual([]);
  });
});
