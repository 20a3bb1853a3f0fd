import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { assertTrafficValid } from '../support/openapi.js';
import { runCli } from '../../src/cli/main.js';
import { OWN_COMMANDS, ROOT, runCliBundle, workflowCommands } from '../support/runner.js';

describe('command line: help', () => {
  it('lists the commands with --help', async () => {
    const r = await runCliBundle(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: apple-signing-actions <command>/);
    expect(r.stdout).toMatch(/\n {2}register-devices {6}Registers devices/);
  });
  it("prints a command's inputs, defaults and outputs from its action.yml", async () => {
    const r = await runCliBundle(['register-devices', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--key-id (required)');
    expect(r.stdout).toContain('--platform (default: IOS)');
    expect(r.stdout).toContain('--private-key-file <path>');
    expect(r.stdout).toMatch(/\n {2}registered {10}Number of devices registered/);
  });
  it('refuses an unknown command or option with one sentence and exit code 2', async () => {
    expect(await runCliBundle(['register-device'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: Unknown command 'register-device'; the commands are /),
    });
    expect(await runCliBundle(['register-devices', '--colour', 'red'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: Unknown option --colour for register-devices/),
    });
  });
});

describe('command line: version and input errors', () => {
  it('prints the package version with --version', async () => {
    const r = await runCliBundle(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version);
  });
  it('names the flag the user typed, not the action input', async () => {
    const r = await runCliBundle(['register-devices', '--key-id', 'not a key id!', '--private-key', 'x', '--devices', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --key-id is 'not a key id!', but an API key ID is letters and digits only/);
    expect(r.stderr).not.toContain('Input key-id');
  });
  it('names the environment variable an input came from, and a missing one by flag and variable', async () => {
    const fromEnv = await runCliBundle(['register-devices', '--devices', 'x', '--private-key', 'x'], { APPLE_SIGNING_KEY_ID: 'bad id!' });
    expect(fromEnv.stderr).toMatch(/^error: APPLE_SIGNING_KEY_ID is 'bad id!'/);
    const missing = await runCliBundle(['register-devices', '--devices', 'x', '--private-key', 'x']);
    expect(missing.stderr).toMatch(/^error: --key-id \(or APPLE_SIGNING_KEY_ID\) is required/);
  });
  it('prints a JSON error object with --json when it fails', async () => {
    const r = await runCliBundle(['register-devices', '--json', '--devices', 'x', '--private-key', 'x']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: expect.stringMatching(/^--key-id \(or APPLE_SIGNING_KEY_ID\) is required/), exitCode: 1 });
  });
});

describe('command line: against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('registers devices with the key read from a file and prints the outputs as JSON', async () => {
    const key = sim.addKey();
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-'));
    const keyFile = path.join(dir, 'AuthKey.p8');
    await writeFile(keyFile, key.privateKeyPem);
    const r = await runCliBundle(
      [
        'register-devices',
        '--key-id',
        key.keyId,
        '--private-key-file',
        keyFile,
        '--api-base-url',
        sim.url,
        '--devices',
        '00008110-000A1B2C3D4E5F60,CLI Phone',
        '--json',
      ],
      {
        APPLE_SIGNING_ISSUER_ID: key.issuerId ?? '',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const outputs = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(outputs).toMatchObject({ registered: 1, failed: 0 });
    // devices is a JSON array inside the object, not a string holding JSON.
    expect(outputs['devices']).toEqual([expect.objectContaining({ name: 'CLI Phone', result: 'registered' })]);
    expect(r.stderr).toContain('CLI Phone');
    expect(r.stderr).not.toContain('PRIVATE KEY');
    expect(sim.state().devices.map((d) => d.name)).toContain('CLI Phone');
    assertTrafficValid(sim.requests);
  });

  it('takes a dry run flag without a value and prints name=value lines', async () => {
    const key = sim.addKey();
    const r = await runCliBundle(
      [
        'register-devices',
        '--key-id',
        key.keyId,
        '--issuer-id',
        key.issuerId ?? '',
        '--api-base-url',
        sim.url,
        '--devices',
        '00008110-000A1B2C3D4E5F61,Dry',
        '--dry-run',
      ],
      {
        APPLE_SIGNING_PRIVATE_KEY: key.privateKeyPem,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain('would-register=1');
  });

  it('leaves base64 outputs out on a terminal unless --show-base64 asks for them', async () => {
    const key = sim.addKey();
    const bundle = sim.seed.bundleId({ identifier: 'com.example.cli' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.seed.profile({ name: 'CLI Store', profileType: 'IOS_APP_STORE', bundleId: bundle.id, certificateIds: [cert.id] });
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-profiles-'));
    const argv = ['ensure-profile', '--bundle-id', 'com.example.cli', '--profile-type', 'IOS_APP_STORE', '--profile-name', 'CLI Store', '--profiles-dir', dir];
    const env = {
      APPLE_SIGNING_KEY_ID: key.keyId,
      APPLE_SIGNING_ISSUER_ID: key.issuerId ?? '',
      APPLE_SIGNING_PRIVATE_KEY: key.privateKeyPem,
      APPLE_SIGNING_API_BASE_URL: sim.url,
    };
    const run = async (extra: string[], stdoutIsTerminal: boolean): Promise<string[]> => {
      const stdout: string[] = [];
      const code = await runCli([...argv, ...extra], { stdout: (t) => stdout.push(t), stderr: () => undefined, env, root: ROOT, stdoutIsTerminal });
      expect(code).toBe(0);
      return stdout;
    };
    const terminal = (await run([], true)).find((l) => l.startsWith('profile-base64='));
    expect(terminal).toMatch(/^profile-base64=\(\d+ characters of base64, left out on a terminal; --show-base64 prints it\)$/);
    const asked = (await run(['--show-base64'], true)).find((l) => l.startsWith('profile-base64='));
    const piped = (await run([], false)).find((l) => l.startsWith('profile-base64='));
    expect(asked).toMatch(/^profile-base64=MI[A-Za-z0-9+/]{100,}/);
    expect(piped).toBe(asked);
  });

  it('prints names from Apple and a devices file as one escaped line each, in its log, summary, outputs and error (a run: step is read for commands too)', async () => {
    const key = sim.addKey();
    sim.seed.device({ udid: '00008110-000A1B2C3D4E5F62', name: 'evil\n::stop-commands::INJECTED1\r::add-mask::INJECTED2' });
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-'));
    const file = path.join(dir, 'devices.json');
    await writeFile(
      file,
      JSON.stringify([
        { udid: '00008110-000A1B2C3D4E5F62', name: 'x' },
        { udid: '00008110-000A1B2C3D4E5F63', name: 'new\n::save-state name=created-keychain::INJECTED3 ##[stop-commands]INJECTED4' },
        { udid: '\n::set-output name=x::INJECTED5', name: 'bad' },
      ]),
    );
    const base = ['register-devices', '--key-id', key.keyId, '--issuer-id', key.issuerId ?? '', '--api-base-url', sim.url, '--devices-file', file];
    for (const extra of [[], ['--json']]) {
      const r = await runCliBundle([...base, ...extra], { APPLE_SIGNING_PRIVATE_KEY: key.privateKeyPem });
      expect(r.code).toBe(1);
      const foreign = workflowCommands(`${r.stdout}\n${r.stderr}`).filter((c) => !OWN_COMMANDS.has(c.name) || c.data.startsWith('INJECTED'));
      expect(foreign, extra.join(' ')).toEqual([]);
      expect(r.stderr).toContain('evil\\n::stop-commands::INJECTED1\\r::add-mask::INJECTED2');
      expect(r.stderr).toMatch(/^error: 1 of 3 devices failed \(line 3: '::set-output name=x::INJECTED5' is not a UDID/m);
    }
  });

  it('ensure-bundle-id: creates a bundle ID with the capabilities of an entitlements file and prints its outputs as JSON', async () => {
    const key = sim.addKey();
    const entitlements = path.join(import.meta.dirname, '../entitlements/fixtures/Widget.entitlements');
    const args = ['ensure-bundle-id', '--key-id', key.keyId, '--issuer-id', key.issuerId ?? '', '--api-base-url', sim.url];
    const help = await runCliBundle(['ensure-bundle-id', '--help']);
    expect(help.stdout).toContain('--remove-unlisted (default: false)');
    const r = await runCliBundle([...args, '--bundle-id', 'com.example.cli.widget', '--entitlements', entitlements, '--json'], {
      APPLE_SIGNING_PRIVATE_KEY: key.privateKeyPem,
    });
    expect(r.code, r.stderr).toBe(0);
    const outputs = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(outputs).toMatchObject({ created: 1, changed: 1 });
    // --json embeds JSON outputs as JSON.
    expect(outputs['manual-steps']).toEqual([expect.stringContaining('group.com.example.shared')]);
    expect(r.stderr).toMatch(/warning: Manual step: Associate the App Group/);
    assertTrafficValid(sim.requests);
  });
});
