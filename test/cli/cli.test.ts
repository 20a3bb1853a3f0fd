import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { assertTrafficValid } from '../support/openapi.js';
import { bundlePath } from '../support/runner.js';

const CLI = bundlePath('cli');

/** Spawned asynchronously: the simulator runs in this process and must keep answering. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('command line: help', () => {
  it('lists the commands with --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: apple-signing-actions <command>/);
    expect(r.stdout).toMatch(/\n {2}register-devices {6}Registers devices/);
  });
  it("prints a command's inputs, defaults and outputs from its action.yml", async () => {
    const r = await cli(['register-devices', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--key-id (required)');
    expect(r.stdout).toContain('--platform (default: IOS)');
    expect(r.stdout).toContain('--private-key-file <path>');
    expect(r.stdout).toMatch(/\n {2}registered {10}Number of devices registered/);
  });
  it('refuses an unknown command or option with one sentence and exit code 2', async () => {
    expect(await cli(['register-device'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: Unknown command 'register-device'; the commands are /),
    });
    expect(await cli(['register-devices', '--colour', 'red'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: Unknown option --colour for register-devices/),
    });
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
    const r = await cli(
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
    const outputs = JSON.parse(r.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({ registered: 1, failed: 0 });
    expect(r.stderr).toContain('CLI Phone');
    expect(r.stderr).not.toContain('PRIVATE KEY');
    expect(sim.state().devices.map((d) => d.name)).toContain('CLI Phone');
    assertTrafficValid(sim.requests);
  });

  it('takes a dry run flag without a value and prints name=value lines', async () => {
    const key = sim.addKey();
    const r = await cli(
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

  it('ensure-bundle-id: creates a bundle ID with the capabilities of an entitlements file and prints its outputs as JSON', async () => {
    const key = sim.addKey();
    const entitlements = path.join(import.meta.dirname, '../entitlements/fixtures/Widget.entitlements');
    const args = ['ensure-bundle-id', '--key-id', key.keyId, '--issuer-id', key.issuerId ?? '', '--api-base-url', sim.url];
    const help = await cli(['ensure-bundle-id', '--help']);
    expect(help.stdout).toContain('--remove-unlisted (default: false)');
    const r = await cli([...args, '--bundle-id', 'com.example.cli.widget', '--entitlements', entitlements, '--json'], {
      APPLE_SIGNING_PRIVATE_KEY: key.privateKeyPem,
    });
    expect(r.code, r.stderr).toBe(0);
    const outputs = JSON.parse(r.stdout) as Record<string, string | number>;
    expect(outputs).toMatchObject({ created: 1, changed: 1 });
    expect(JSON.parse(String(outputs['manual-steps']))).toEqual([expect.stringContaining('group.com.example.shared')]);
    expect(r.stderr).toMatch(/warning: Manual step: Associate the App Group/);
    assertTrafficValid(sim.requests);
  });
});
