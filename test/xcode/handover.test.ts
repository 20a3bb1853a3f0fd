// export-options through the bundled actions (ensure-profile, rotate-profile, provision, the CLI) against the
// simulator: the ExportOptions.plist and .xcconfig they write, and when they write none.
import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, parse, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import { createCa, signCms } from '../../simulator/ca.js';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import type { Logger } from '../../src/core/log.js';
import { handOverToXcode } from '../../src/xcode/handover.js';
import { sha1Of } from '../certificates/helpers.js';
import { apiInputs, onlyProfile } from '../profiles/helpers.js';
import { runCliBundle, runStep } from '../support/runner.js';

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({ immediateDevices: 1000 }, (s, k) => {
  sim = s;
  key = k;
});

async function plistAt(file: string | undefined): Promise<Record<string, unknown>> {
  expect(file, 'a path').toBeTruthy();
  return parse(await readFile(file as string, 'utf8')) as Record<string, unknown>;
}

/** A stand-in `xcodebuild` that reports the given version, in a folder to put first on PATH. */
async function fakeXcodebuild(version: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asa-xcodebuild-'));
  await writeFile(path.join(dir, 'xcodebuild'), `#!/bin/sh\n[ "$1" = -version ] && printf "Xcode ${version}\\nBuild version 1A1\\n"\n`);
  await chmod(path.join(dir, 'xcodebuild'), 0o755);
  return dir;
}

const IDS = 'com.example.app\ncom.example.app.widget';

describe('ensure-profile with export-options', () => {
  it('writes an ExportOptions.plist and a .xcconfig naming each bundle ID its own profile, the same bytes on every run', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.bundleId({ identifier: 'com.example.app.widget' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const inputs = { ...apiInputs(sim, key), 'bundle-id': IDS, 'profile-type': 'IOS_APP_STORE', 'export-options': 'true', 'xcode-version': '15.2' };
    const run = await runStep('ensure-profile', inputs);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['export-options-path']).toMatch(new RegExp(`^${run.runnerTemp}/apple-signing-xcode-[^/]+/ExportOptions\\.plist$`));
    expect(await plistAt(run.outputs['export-options-path'])).toEqual({
      method: 'app-store',
      signingStyle: 'manual',
      teamID: 'SIMTEAM123',
      signingCertificate: sha1Of(Buffer.from(cert.certificateContent, 'base64')).toUpperCase(),
      provisioningProfiles: {
        'com.example.app': 'com.example.app IOS_APP_STORE',
        'com.example.app.widget': 'com.example.app.widget IOS_APP_STORE',
      },
    });
    const xcconfig = await readFile(run.outputs['xcconfig-path'] ?? '', 'utf8');
    expect(xcconfig).toContain('\nCODE_SIGN_STYLE = Manual\nDEVELOPMENT_TEAM = SIMTEAM123\nCODE_SIGN_IDENTITY = Apple Distribution: ');
    expect(xcconfig).toContain('\nPROVISIONING_PROFILE_SPECIFIER_com_example_app = com.example.app IOS_APP_STORE\n');
    expect(xcconfig).toContain('\nPROVISIONING_PROFILE_SPECIFIER_com_example_app_widget = com.example.app.widget IOS_APP_STORE\n');
    expect(xcconfig).toMatch(/\nPROVISIONING_PROFILE_SPECIFIER = \$\(PROVISIONING_PROFILE_SPECIFIER_\$\(PRODUCT_BUNDLE_IDENTIFIER:c99extidentifier\)\)\n$/);
    expect(run.summary).toContain('ExportOptions.plist');

    sim.clearRequests();
    const again = await runStep('ensure-profile', inputs);
    expect(again.outputs['decision']).toBe('keep');
    // The export options come from the profiles already read: the warm path stays one request.
    expect(sim.requests).toHaveLength(1);
    expect(again.outputs['export-options-path']).not.toBe(run.outputs['export-options-path']);
    expect(await readFile(again.outputs['export-options-path'] ?? '')).toEqual(await readFile(run.outputs['export-options-path'] ?? ''));
    expect(await readFile(again.outputs['xcconfig-path'] ?? '')).toEqual(await readFile(run.outputs['xcconfig-path'] ?? ''));
  });

  it('writes nothing by default, and outputs empty paths', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'export-options-path': '', 'xcconfig-path': '' });
    expect((await readdir(run.runnerTemp)).filter((f) => f.startsWith('apple-signing-xcode-'))).toEqual([]);
  });

  it('refuses a profile name that would inject a build setting, in one sentence, before any request', async () => {
    for (const name of ['App $(inherited)', 'App // store', 'App = Store']) {
      const run = await runStep('ensure-profile', {
        ...apiInputs(sim, key),
        'bundle-id': 'com.example.app',
        'profile-type': 'IOS_APP_STORE',
        'profile-name': name,
        'export-options': 'true',
      });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([
        expect.stringMatching(/^Input profile-name has '.*', which holds .* and so cannot go into the \.xcconfig that export-options writes; rename/),
      ]);
    }
    expect(sim.requests).toEqual([]);
  });

  it('refuses export-options-extra that is not a JSON object, before any request', async () => {
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      'export-options-extra': '[1]',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^Input export-options-extra is JSON but not an object;/)]);
    expect(sim.requests).toEqual([]);
  });

  it('adds export-options-extra and writes Developer ID exports with the developer-id method', async () => {
    sim.seed.bundleId({ identifier: 'com.example.mac', platform: 'MAC_OS' });
    const cert = sim.seed.certificate({ certificateType: 'DEVELOPER_ID_APPLICATION_G2' });
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.mac',
      'profile-type': 'MAC_APP_DIRECT',
      'export-options': 'true',
      'export-options-extra': '{"stripSwiftSymbols": false, "signingStyle": "manual"}',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await plistAt(run.outputs['export-options-path'])).toMatchObject({
      method: 'developer-id',
      stripSwiftSymbols: false,
      signingCertificate: sha1Of(Buffer.from(cert.certificateContent, 'base64')).toUpperCase(),
      provisioningProfiles: { 'com.example.mac': 'com.example.mac MAC_APP_DIRECT' },
    });
    expect(await readFile(run.outputs['xcconfig-path'] ?? '', 'utf8')).toContain('\nCODE_SIGN_IDENTITY = Developer ID Application: ');
  });

  it('writes nothing on a dry run', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      'export-options': 'true',
      'dry-run': 'true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'export-options-path': '', 'xcconfig-path': '' });
  });
});

describe('rotate-profile with export-options', () => {
  it('names the fresh profile in the export options', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Tester iPhone' });
    const run = await runStep('rotate-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_ADHOC',
      'export-options': 'true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await plistAt(run.outputs['export-options-path'])).toMatchObject({
      method: 'release-testing',
      provisioningProfiles: { 'com.example.app': 'com.example.app IOS_APP_ADHOC' },
    });
  });
});

describe('provision', () => {
  it('writes the export options by default, with the certificate it installed and the method names of the Xcode on PATH', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    const mine = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Tester iPhone' });
    const run = await runStep(
      'provision',
      { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_ADHOC', 'signing-key': mine.privateKeyPem },
      { pathPrefix: [await fakeXcodebuild('15.2')] },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(onlyProfile(sim, 'com.example.app IOS_APP_ADHOC').certificateIds).toEqual([mine.id]);
    expect(await plistAt(run.outputs['export-options-path'])).toEqual({
      method: 'ad-hoc',
      signingStyle: 'manual',
      teamID: 'SIMTEAM123',
      signingCertificate: run.outputs['sha1'],
      provisioningProfiles: { 'com.example.app': 'com.example.app IOS_APP_ADHOC' },
    });
    expect(await readFile(run.outputs['xcconfig-path'] ?? '', 'utf8')).toContain(`\nCODE_SIGN_IDENTITY = ${run.outputs['signing-identity']}\n`);
  });

  it('writes none with export-options: false', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    const mine = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      'signing-key': mine.privateKeyPem,
      'export-options': 'false',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'export-options-path': '', 'xcconfig-path': '' });
  });
});

describe('a profile that cannot be exported as it is', () => {
  it('gives a warning and empty paths, not a failure', async () => {
    const bundle = sim.seed.bundleId({ identifier: 'com.example.mac', platform: 'MAC_OS' });
    const dist = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const p = sim.seed.profile({ name: 'Direct', profileType: 'MAC_APP_DIRECT', bundleId: bundle.id, certificateIds: [dist.id] });
    const warnings: string[] = [];
    const log: Logger = { info: () => undefined, debug: () => undefined, notice: () => undefined, warning: (m) => warnings.push(m), group: (_n, fn) => fn() };
    const parentDir = await mkdtemp(path.join(tmpdir(), 'asa-handover-'));
    const result = await handOverToXcode(
      {
        profileType: 'MAC_APP_DIRECT',
        profiles: [{ bundleId: 'com.example.mac', profileName: 'Direct', content: p.profileContent }],
        known: undefined,
        xcode: undefined,
        extra: {},
        parentDir,
      },
      log,
    );
    expect(result).toEqual({ exportOptionsPath: '', xcconfigPath: '' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^No ExportOptions\.plist or \.xcconfig was written: MAC_APP_DIRECT signs with a Developer ID Application certificate, but the certificate is 'Apple Distribution: [^']+'; export-options-path and xcconfig-path are empty\.$/,
    );
    expect(await readdir(parentDir)).toEqual([]);
  });
});

let ca: ReturnType<typeof createCa> | undefined;

/** A profile as Apple signs them (CMS around a plist), with the given entitlements and certificates. */
function profileBytes(entitlements: Record<string, PlistValue>, certificates: Buffer[], team = 'SIMTEAM123'): string {
  const plist = build({
    DeveloperCertificates: certificates.map((c) => new Uint8Array(c)),
    Entitlements: entitlements,
    Name: 'App',
    TeamIdentifier: [team],
    UUID: '2B7E5A3C-0D4F-4A8B-9C6E-1F2A3B4C5D6E',
  });
  ca ??= createCa(new Date());
  return signCms(ca, Buffer.from(plist, 'utf8'), new Date()).toString('base64');
}

describe('what the export reads from the profiles', () => {
  const collect = () => {
    const warnings: string[] = [];
    const log: Logger = { info: () => undefined, debug: () => undefined, notice: () => undefined, warning: (m) => warnings.push(m), group: (_n, fn) => fn() };
    return { warnings, log };
  };

  it('sets iCloudContainerEnvironment when a profile grants iCloud in its Entitlements', async () => {
    const cert = Buffer.from(sim.seed.certificate({ certificateType: 'DISTRIBUTION' }).certificateContent, 'base64');
    const icloud = { 'com.apple.developer.icloud-services': ['CloudKit'], 'com.apple.developer.icloud-container-environment': ['Development', 'Production'] };
    const { warnings, log } = collect();
    const request = {
      profileType: 'IOS_APP_STORE' as const,
      profiles: [
        { bundleId: 'com.example.app', profileName: 'App', content: profileBytes(icloud, [cert]) },
        { bundleId: 'com.example.app.widget', profileName: 'Widget', content: profileBytes({}, [cert]) },
      ],
      known: undefined,
      xcode: undefined,
      extra: {},
      parentDir: await mkdtemp(path.join(tmpdir(), 'asa-handover-')),
    };
    const result = await handOverToXcode(request, log);
    expect(warnings).toEqual([]);
    expect(await plistAt(result.exportOptionsPath)).toMatchObject({ iCloudContainerEnvironment: 'Production', signingCertificate: sha1Of(cert).toUpperCase() });
    const without = await handOverToXcode({ ...request, profiles: request.profiles.slice(1) }, log);
    expect(await plistAt(without.exportOptionsPath)).not.toHaveProperty('iCloudContainerEnvironment');
  });

  it('writes nothing, with a warning, for a wildcard bundle ID or profiles of two teams', async () => {
    const cert = Buffer.from(sim.seed.certificate({ certificateType: 'DISTRIBUTION' }).certificateContent, 'base64');
    const parentDir = await mkdtemp(path.join(tmpdir(), 'asa-handover-'));
    const base = { profileType: 'IOS_APP_STORE' as const, known: undefined, xcode: undefined, extra: {}, parentDir };
    const { warnings, log } = collect();
    expect(await handOverToXcode({ ...base, profiles: [{ bundleId: 'com.example.*', profileName: 'Any', content: profileBytes({}, [cert]) }] }, log)).toEqual({
      exportOptionsPath: '',
      xcconfigPath: '',
    });
    const twoTeams = [
      { bundleId: 'com.example.app', profileName: 'A', content: profileBytes({}, [cert], 'TEAMAAAAAA') },
      { bundleId: 'com.example.app.widget', profileName: 'B', content: profileBytes({}, [cert], 'TEAMBBBBBB') },
    ];
    expect(await handOverToXcode({ ...base, profiles: twoTeams }, log)).toEqual({ exportOptionsPath: '', xcconfigPath: '' });
    expect(warnings).toEqual([
      "No ExportOptions.plist or .xcconfig was written: bundle ID 'com.example.*' is a wildcard, and export options name each app's explicit bundle ID; export-options-path and xcconfig-path are empty.",
      'No ExportOptions.plist or .xcconfig was written: the profiles do not name one team; export-options-path and xcconfig-path are empty.',
    ]);
    expect(await readdir(parentDir)).toEqual([]);
  });

  it('writes the plist but no .xcconfig when a name from Apple is unsafe there', async () => {
    const cert = Buffer.from(sim.seed.certificate({ certificateType: 'DISTRIBUTION' }).certificateContent, 'base64');
    const { warnings, log } = collect();
    const result = await handOverToXcode(
      {
        profileType: 'IOS_APP_STORE',
        profiles: [{ bundleId: 'com.example.app', profileName: 'App', content: profileBytes({}, [cert]) }],
        known: { sha1: sha1Of(cert).toUpperCase(), commonName: 'Apple Distribution: Evil $(OTHER_LDFLAGS) Ltd (SIMTEAM123)' },
        xcode: undefined,
        extra: {},
        parentDir: await mkdtemp(path.join(tmpdir(), 'asa-handover-')),
      },
      log,
    );
    expect(result.xcconfigPath).toBe('');
    expect(await plistAt(result.exportOptionsPath)).toMatchObject({ signingCertificate: sha1Of(cert).toUpperCase() });
    expect(warnings).toEqual([
      "No .xcconfig was written: Signing identity 'Apple Distribution: Evil $(OTHER_LDFLAGS) Ltd (SIMTEAM123)' holds '$' (a build-setting reference), which cannot go into a .xcconfig safely; xcconfig-path is empty (the ExportOptions.plist was written).",
    ]);
  });
});

describe('the command line', () => {
  it('has the flags from action.yml', async () => {
    const { code, stdout: out } = await runCliBundle(['ensure-profile', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('--export-options (default: false)');
    expect(out).toContain('--xcode-version');
    expect(out).toContain('--export-options-extra');
    expect(out).toContain('export-options-path');
    expect(out).toContain('xcconfig-path');
  });
});
