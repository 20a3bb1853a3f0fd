// The pure builders of src/xcode/: export methods per profile type and Xcode version, the plist,
// export-options-extra, the signing identity, and the .xcconfig with its refusals.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import type { ProfileType } from '../../src/apple/types.js';
import { InputError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { PROFILE_TYPE_NAMES } from '../../src/profiles/profile-types.js';
import {
  EXPORT_OPTION_KEYS,
  exportMethodName,
  exportOptions,
  exportOptionsPlist,
  parseExportOptionsExtra,
  type ExportSigning,
} from '../../src/xcode/export-options.js';
import { resolveSigningIdentity } from '../../src/xcode/signing-identity.js';
import { c99ExtIdentifier, signingXcconfig, unsafeXcconfigValue, XcconfigValueError } from '../../src/xcode/xcconfig.js';
import { detectXcodeVersion, parseXcodeVersion } from '../../src/xcode/xcode-version.js';

const v = (text: string) => parseXcodeVersion(text);

describe('export method per profile type and Xcode version', () => {
  const expected: Record<ProfileType, [string, string]> = {
    IOS_APP_DEVELOPMENT: ['debugging', 'development'],
    IOS_APP_STORE: ['app-store-connect', 'app-store'],
    IOS_APP_ADHOC: ['release-testing', 'ad-hoc'],
    IOS_APP_INHOUSE: ['enterprise', 'enterprise'],
    MAC_APP_DEVELOPMENT: ['debugging', 'development'],
    MAC_APP_STORE: ['app-store-connect', 'app-store'],
    MAC_APP_DIRECT: ['developer-id', 'developer-id'],
    TVOS_APP_DEVELOPMENT: ['debugging', 'development'],
    TVOS_APP_STORE: ['app-store-connect', 'app-store'],
    TVOS_APP_ADHOC: ['release-testing', 'ad-hoc'],
    TVOS_APP_INHOUSE: ['enterprise', 'enterprise'],
    MAC_CATALYST_APP_DEVELOPMENT: ['debugging', 'development'],
    MAC_CATALYST_APP_STORE: ['app-store-connect', 'app-store'],
    MAC_CATALYST_APP_DIRECT: ['developer-id', 'developer-id'],
  };

  it('covers every profile type the suite knows', () => {
    expect(Object.keys(expected).sort()).toEqual([...PROFILE_TYPE_NAMES].sort());
  });

  it.each(PROFILE_TYPE_NAMES)('%s: the current names from Xcode 15.3 (and when unknown), the old ones before', (type) => {
    const [current, old] = expected[type];
    expect(exportMethodName(type, v('15.3'))).toBe(current);
    expect(exportMethodName(type, v('16'))).toBe(current);
    expect(exportMethodName(type, v('26.1'))).toBe(current);
    expect(exportMethodName(type, undefined)).toBe(current);
    expect(exportMethodName(type, v('15.2'))).toBe(old);
    expect(exportMethodName(type, v('14.3.1'))).toBe(old);
  });

  it('reads versions as given and as xcodebuild -version prints them', () => {
    expect(v('15.3')).toEqual({ major: 15, minor: 3, text: '15.3' });
    expect(v('16')).toEqual({ major: 16, minor: 0, text: '16' });
    expect(v('Xcode 15.2\nBuild version 15C500b')).toEqual({ major: 15, minor: 2, text: '15.2' });
    for (const bad of ['', 'latest', '15.x', '15.3-beta', '1.2.3.4']) expect(v(bad)).toBeUndefined();
  });

  it('asks the xcodebuild on PATH, and falls back to the current names when it does not answer', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'asa-xcode-'));
    const bin = path.join(dir, 'xcodebuild');
    await writeFile(bin, '#!/bin/sh\n[ "$1" = -version ] && printf "Xcode 15.2\\nBuild version 15C500b\\n"\n');
    await chmod(bin, 0o755);
    expect(await detectXcodeVersion(silentLogger, dir)).toEqual({ major: 15, minor: 2, text: '15.2' });
    await writeFile(bin, '#!/bin/sh\necho "xcode-select: error: tool xcodebuild requires Xcode" >&2\nexit 1\n');
    expect(await detectXcodeVersion(silentLogger, dir)).toBeUndefined();
    expect(await detectXcodeVersion(silentLogger, path.join(dir, 'nothing-here'))).toBeUndefined();
  });
});

const SHA1 = 'A'.repeat(40);
const store: ExportSigning = {
  profileType: 'IOS_APP_STORE',
  teamId: 'ABCDE12345',
  identity: { certificate: { sha1: SHA1, commonName: 'Apple Distribution: Example Ltd (ABCDE12345)' }, selector: 'Apple Distribution' },
  profiles: [
    { bundleId: 'com.example.app.widget', profileName: 'Widget Store' },
    { bundleId: 'com.example.app', profileName: 'App Store' },
  ],
};

describe('ExportOptions.plist', () => {
  it('names the method, manual signing, the team, the certificate by SHA-1 and each bundle ID its own profile', () => {
    const dict = parse(exportOptionsPlist(exportOptions(store, v('16')))) as Record<string, unknown>;
    expect(dict).toEqual({
      method: 'app-store-connect',
      signingStyle: 'manual',
      teamID: 'ABCDE12345',
      signingCertificate: SHA1,
      provisioningProfiles: { 'com.example.app': 'App Store', 'com.example.app.widget': 'Widget Store' },
    });
    for (const key of Object.keys(dict)) expect(EXPORT_OPTION_KEYS).toContain(key);
  });

  it('names Xcode’s selector when the certificate is not known', () => {
    const dict = exportOptions({ ...store, identity: { selector: 'Apple Development' } }, undefined);
    expect(dict['signingCertificate']).toBe('Apple Development');
  });

  it('is the same bytes whatever the order of bundle IDs and keys, sorted, with no date', () => {
    const a = exportOptionsPlist(exportOptions(store, v('15.2'), { uploadSymbols: false, manifest: { b: '2', a: '1' } }));
    const b = exportOptionsPlist(
      exportOptions({ ...store, profiles: [...store.profiles].reverse() }, v('15.2'), { manifest: { a: '1', b: '2' }, uploadSymbols: false }),
    );
    expect(a).toBe(b);
    expect(a).not.toContain('<date>');
    expect(a.endsWith('</plist>\n')).toBe(true);
    const keys = [...a.matchAll(/^\t<key>(\w+)<\/key>/gm)].map((m) => m[1]);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toEqual(['manifest', 'method', 'provisioningProfiles', 'signingCertificate', 'signingStyle', 'teamID', 'uploadSymbols']);
  });

  it('escapes names for XML, so a profile name cannot add a key', () => {
    const evil = '</string><key>method</key><string>debugging';
    const text = exportOptionsPlist(exportOptions({ ...store, profiles: [{ bundleId: 'com.example.app', profileName: evil }] }, undefined));
    const dict = parse(text) as Record<string, unknown>;
    expect(dict['method']).toBe('app-store-connect');
    expect(dict['provisioningProfiles']).toEqual({ 'com.example.app': evil });
  });

  it('sets iCloudContainerEnvironment only when a profile grants iCloud: Development for development signing, else Production', () => {
    expect(exportOptions(store, undefined)['iCloudContainerEnvironment']).toBeUndefined();
    const icloud = { ...store, profiles: [{ bundleId: 'com.example.app', profileName: 'App Store', iCloudEnvironments: ['Development', 'Production'] }] };
    expect(exportOptions(icloud, undefined)['iCloudContainerEnvironment']).toBe('Production');
    expect(exportOptions({ ...icloud, profileType: 'IOS_APP_DEVELOPMENT' }, undefined)['iCloudContainerEnvironment']).toBe('Development');
    const noneListed = { ...store, profiles: [{ bundleId: 'com.example.app', profileName: 'App Store', iCloudEnvironments: [] }] };
    expect(exportOptions(noneListed, undefined)['iCloudContainerEnvironment']).toBe('Production');
    const onlyDev = { ...store, profiles: [{ bundleId: 'com.example.app', profileName: 'App Store', iCloudEnvironments: ['Development'] }] };
    expect(exportOptions(onlyDev, undefined)['iCloudContainerEnvironment']).toBe('Development');
  });

  it.skipIf(spawnSync('plutil', ['-help']).error !== undefined)('passes plutil -lint (macOS)', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'asa-plist-')), 'ExportOptions.plist');
    await writeFile(file, exportOptionsPlist(exportOptions(store, undefined)));
    expect(spawnSync('plutil', ['-lint', file]).status).toBe(0);
  });
});

describe('export-options-extra', () => {
  it('adds keys and replaces ours', () => {
    const extra = parseExportOptionsExtra('{"uploadSymbols": false, "method": "validation", "manifest": {"appURL": "https://example.com/a.ipa"}}');
    const dict = exportOptions(store, undefined, extra);
    expect(dict).toMatchObject({ uploadSymbols: false, method: 'validation', manifest: { appURL: 'https://example.com/a.ipa' }, teamID: 'ABCDE12345' });
  });

  it.each([
    ['{"uploadSymbols": false', /^Input export-options-extra is not valid JSON; give a JSON object/],
    ['["uploadSymbols"]', /^Input export-options-extra is JSON but not an object;/],
    ['"x"', /^Input export-options-extra is JSON but not an object;/],
    ['{"uploadSymbol": false}', /^Input export-options-extra has 'uploadSymbol', which xcodebuild -exportArchive does not know; the keys are compileBitcode, /],
    ['{"manifest": {"appURL": null}}', /^Input export-options-extra has null at the top level\.manifest\.appURL, which a plist cannot hold;/],
    ['{"teamID": "A\\u0001B"}', /^Input export-options-extra has a control character at the top level\.teamID/],
  ])('refuses %s in one sentence', (text, message) => {
    let err: unknown;
    try {
      parseExportOptionsExtra(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.match(/\.( |$)/g)).toHaveLength(1);
  });

  it('is nothing when empty', () => {
    expect(parseExportOptionsExtra('  ')).toEqual({});
  });
});

describe('signing identity', () => {
  const dist = { sha1: '1'.repeat(40), commonName: 'Apple Distribution: Example Ltd (ABCDE12345)' };
  const dev1 = { sha1: '2'.repeat(40), commonName: 'Apple Development: Ana (X1Y2Z3)' };
  const dev2 = { sha1: '3'.repeat(40), commonName: 'Apple Development: Ben (Q1W2E3)' };
  const devId = { sha1: '4'.repeat(40), commonName: 'Developer ID Application: Example Ltd (ABCDE12345)' };

  it('names the known certificate, or the one every profile holds', () => {
    expect(resolveSigningIdentity('IOS_APP_STORE', [[dist], [dist]], undefined)).toEqual({ certificate: dist, selector: 'Apple Distribution' });
    expect(resolveSigningIdentity('IOS_APP_DEVELOPMENT', [[dev1, dev2]], dev2)).toEqual({ certificate: dev2, selector: 'Apple Development' });
    expect(resolveSigningIdentity('MAC_APP_DIRECT', [[devId]], undefined)).toEqual({ certificate: devId, selector: 'Developer ID Application' });
  });

  it("falls back to Xcode's selector for the kind when the profiles hold several", () => {
    expect(resolveSigningIdentity('IOS_APP_DEVELOPMENT', [[dev1, dev2]], undefined)).toEqual({ selector: 'Apple Development' });
    const legacy = [
      { sha1: '5'.repeat(40), commonName: 'iPhone Developer: Ana (X1Y2Z3)' },
      { sha1: '6'.repeat(40), commonName: 'iPhone Developer: Ben (Q1)' },
    ];
    expect(resolveSigningIdentity('IOS_APP_DEVELOPMENT', [legacy], undefined)).toEqual({ selector: 'iOS Developer' });
  });

  it('says why a Developer ID type without its certificate cannot be exported', () => {
    expect(resolveSigningIdentity('MAC_APP_DIRECT', [[dist]], undefined)).toEqual({
      problem: "MAC_APP_DIRECT signs with a Developer ID Application certificate, but the certificate is 'Apple Distribution: Example Ltd (ABCDE12345)'",
    });
    expect(resolveSigningIdentity('MAC_CATALYST_APP_DIRECT', [[]], undefined)).toEqual({
      problem: 'MAC_CATALYST_APP_DIRECT signs with a Developer ID Application certificate, but the profile holds no certificate',
    });
    expect(resolveSigningIdentity('IOS_APP_STORE', [[dist]], devId)).toHaveProperty('problem');
  });
});

describe('.xcconfig', () => {
  const signing = {
    profileType: 'IOS_APP_STORE' as const,
    teamId: 'ABCDE12345',
    identity: 'Apple Distribution: Example Ltd (ABCDE12345)',
    profiles: [
      { bundleId: 'com.example.app.widget', profileName: 'Widget Store' },
      { bundleId: 'com.example.app', profileName: 'App Store' },
      { bundleId: 'com.example.my-app', profileName: 'My App Store' },
    ],
  };

  it('sets manual signing and gives each bundle ID its profile only through its own PRODUCT_BUNDLE_IDENTIFIER', () => {
    expect(signingXcconfig(signing)).toBe(
      [
        '// Manual signing for IOS_APP_STORE profiles, written by apple-signing-actions.',
        '// Generated; pass it to xcodebuild archive with -xcconfig, or #include it from your target configuration.',
        'CODE_SIGN_STYLE = Manual',
        'DEVELOPMENT_TEAM = ABCDE12345',
        'CODE_SIGN_IDENTITY = Apple Distribution: Example Ltd (ABCDE12345)',
        'PROVISIONING_PROFILE_SPECIFIER_com_example_app = App Store',
        'PROVISIONING_PROFILE_SPECIFIER_com_example_app_widget = Widget Store',
        'PROVISIONING_PROFILE_SPECIFIER_com_example_my_app = My App Store',
        'PROVISIONING_PROFILE_SPECIFIER = $(PROVISIONING_PROFILE_SPECIFIER_$(PRODUCT_BUNDLE_IDENTIFIER:c99extidentifier))',
        '',
      ].join('\n'),
    );
    expect(signingXcconfig({ ...signing, profiles: [...signing.profiles].reverse() })).toBe(signingXcconfig(signing));
  });

  it("mangles bundle IDs as Xcode's c99extidentifier does", () => {
    expect(c99ExtIdentifier('com.example.my-app')).toBe('com_example_my_app');
    expect(c99ExtIdentifier('123.example.app')).toBe('_23_example_app');
    expect(c99ExtIdentifier('Com.Example.App_2')).toBe('Com_Example_App_2');
  });

  it.each([
    ['App\nCODE_SIGN_IDENTITY = Evil', 'a line break or control character'],
    ['App\r#include "/tmp/evil.xcconfig"', 'a line break or control character'],
    ['App\u2028OTHER_LDFLAGS = -evil', 'a line break or control character'],
    ['App $(OTHER_LDFLAGS)', "'$' (a build-setting reference)"],
    ['App ${HOME}', "'$' (a build-setting reference)"],
    ['App // comment', "'//' (a comment)"],
    ['App = Store', "'='"],
    ['App\\', 'a backslash'],
    ['"App"', 'a double quote'],
    ['App;', "a trailing ';'"],
    [' App', 'leading or trailing spaces'],
  ])('refuses the profile name %j', (name, problem) => {
    expect(unsafeXcconfigValue(name)).toBe(problem);
    expect(() => signingXcconfig({ ...signing, profiles: [{ bundleId: 'com.example.app', profileName: name }] })).toThrow(
      new XcconfigValueError(`Profile name '${name}' holds ${problem}, which cannot go into a .xcconfig safely`),
    );
  });

  it('refuses an unsafe identity or team, two bundle IDs that share a variable, and wildcards', () => {
    expect(() => signingXcconfig({ ...signing, identity: 'Apple Distribution: X $(Y)' })).toThrow(XcconfigValueError);
    expect(() => signingXcconfig({ ...signing, teamId: 'ABC\nDEF' })).toThrow(XcconfigValueError);
    expect(() =>
      signingXcconfig({
        ...signing,
        profiles: [
          { bundleId: 'com.example.my-app', profileName: 'A' },
          { bundleId: 'com.example.my.app', profileName: 'B' },
        ],
      }),
    ).toThrow("Bundle IDs 'com.example.my-app' and 'com.example.my.app' both become PROVISIONING_PROFILE_SPECIFIER_com_example_my_app");
    expect(() => signingXcconfig({ ...signing, profiles: [{ bundleId: 'com.example.*', profileName: 'A' }] })).toThrow(XcconfigValueError);
  });

  it('accepts the names Apple and the suite give', () => {
    for (const ok of [
      'com.example.app IOS_APP_STORE',
      "Ana's App (Store)",
      'iOS Team Provisioning Profile: *',
      'Apple Distribution: Ünïcode GmbH (ABCDE12345)',
    ]) {
      expect(unsafeXcconfigValue(ok)).toBeUndefined();
    }
  });
});
