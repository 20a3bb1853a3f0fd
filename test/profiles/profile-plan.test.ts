// The pure parts of ensure-profile: the keep/create/recreate decision with its reasons, certificate
// choice, bundle-ID matching, and reading the plist out of a profile's CMS wrapper.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { closeIdentifiers, exactBundleId } from '../../src/apple/bundle-ids.js';
import type { BundleId, Certificate, CertificateType, Device } from '../../src/apple/types.js';
import { chooseCertificates } from '../../src/profiles/certificates.js';
import { ProfileContentError, profilePlist, readProfileInfo } from '../../src/profiles/install.js';
import { planProfiles, selectDevices, type PlanInput, type ProfileCandidate } from '../../src/profiles/plan.js';
import { PROFILE_TYPE_NAMES, profileTypeInfo } from '../../src/profiles/profile-types.js';
import { parseProvisionInputs } from '../../src/actions/provision.js';
import { thrown } from '../support/thrown.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const days = (n: number): string => new Date(NOW.getTime() + n * 86_400_000).toISOString();
const bundle = (identifier: string, id = `B-${identifier}`): BundleId => ({ type: 'bundleIds', id, attributes: { identifier } });
const cert = (id: string, certificateType: CertificateType, expires: number): Certificate => ({
  type: 'certificates',
  id,
  attributes: { certificateType, expirationDate: days(expires) },
});
const device = (id: string, udid: string, status: 'ENABLED' | 'DISABLED' | 'PROCESSING' = 'ENABLED', platform: 'IOS' | 'MAC_OS' = 'IOS'): Device => ({
  type: 'devices',
  id,
  attributes: { udid, name: id, status, platform },
});

function candidate(o: {
  id?: string;
  name?: string;
  type?: 'IOS_APP_DEVELOPMENT' | 'IOS_APP_STORE';
  identifier?: string;
  state?: 'ACTIVE' | 'INVALID';
  expires?: number;
  certs?: Certificate[];
  udids?: string[];
}): ProfileCandidate {
  return {
    profile: {
      type: 'profiles',
      id: o.id ?? 'P1',
      attributes: {
        name: o.name ?? 'App Dev',
        profileType: o.type ?? 'IOS_APP_DEVELOPMENT',
        profileState: o.state ?? 'ACTIVE',
        expirationDate: days(o.expires ?? 200),
        uuid: `uuid-${o.id ?? 'P1'}`,
      },
    },
    bundleId: bundle(o.identifier ?? 'com.example.app'),
    certificates: o.certs ?? [cert('C1', 'IOS_DEVELOPMENT', 300)],
    devices: [],
    deviceUdids: o.udids ?? ['udid-a'],
  };
}

const info = profileTypeInfo('IOS_APP_DEVELOPMENT');
function input(existing: ProfileCandidate[], extra: Partial<PlanInput> = {}): PlanInput {
  return {
    targets: [{ identifier: 'com.example.app', name: 'App Dev' }],
    profileType: 'IOS_APP_DEVELOPMENT',
    info,
    existing,
    devices: selectDevices(
      [device('D1', 'UDID-A'), device('D2', 'udid-b', 'PROCESSING'), device('D3', 'udid-c', 'DISABLED'), device('D4', 'udid-mac', 'ENABLED', 'MAC_OS')],
      info,
    ),
    now: NOW,
    minDaysValid: 30,
    rotate: false,
    ...extra,
  };
}

describe('profile plan', () => {
  it('keeps a profile holding every enabled device (UDIDs compared case-insensitively), ignoring PROCESSING, DISABLED and other platforms', () => {
    const [d] = planProfiles(input([candidate({})]));
    expect(d).toMatchObject({ action: 'keep', reasons: [], remove: [], bundleIdId: 'B-com.example.app' });
  });

  it('creates when no profile has the name', () => {
    expect(planProfiles(input([candidate({ name: 'Other' })]))[0]).toMatchObject({ action: 'create', reasons: [{ code: 'absent' }] });
  });

  it.each([
    ['expired though ACTIVE', { expires: -1 }, 'expired', /^expired on 2026-11-22$/],
    ['expiring within min-days-valid', { expires: 12 }, 'expiring', /^expires on 2026-12-05, in 12 days \(min-days-valid 30\)$/],
    ['INVALID', { state: 'INVALID' as const }, 'invalid', /^Apple marks it INVALID$/],
    [
      'holding only an expired certificate',
      { certs: [cert('C1', 'IOS_DEVELOPMENT', -2)] },
      'missing-certificate',
      /no valid DEVELOPMENT or IOS_DEVELOPMENT certificate/,
    ],
    ['holding only a certificate of the wrong kind', { certs: [cert('C1', 'DISTRIBUTION', 300)] }, 'missing-certificate', /no valid/],
    ['lacking an enabled device', { udids: ['udid-x'] }, 'missing-devices', /^it lacks 1 enabled device\(s\): D1 \(UDID-A\)$/],
    ['for another bundle ID', { identifier: 'com.example.other' }, 'other-bundle-id', /^it is for com\.example\.other$/],
    ['of another type', { type: 'IOS_APP_STORE' as const }, 'other-type', /^it is a IOS_APP_STORE profile$/],
  ])('recreates a profile %s, saying why', (_what, o, code, text) => {
    const [d] = planProfiles(input([candidate(o)]));
    expect(d?.action).toBe('recreate');
    expect(d?.remove.map((r) => r.profile.id)).toEqual(['P1']);
    const reason = d?.reasons.find((r) => r.code === code);
    expect(reason?.text).toMatch(text);
  });

  it('keeps a profile expiring within min-days-valid when no certificate a new one would hold outlives it by more than a day', () => {
    const short = cert('C1', 'IOS_DEVELOPMENT', 17);
    const expiring = candidate({ expires: 17, certs: [short] });
    // Before the certificates are known: planned for recreation.
    expect(planProfiles(input([expiring]))[0]?.action).toBe('recreate');
    const [d] = planProfiles(input([expiring], { replacementCertificates: [{ ...short, attributes: { ...short.attributes, expirationDate: days(17.9) } }] }));
    expect(d).toMatchObject({ action: 'keep', remove: [], renewCertificate: { id: 'C1' } });
    expect(d?.keep?.profile.id).toBe('P1');
    expect(d?.reasons).toEqual([
      {
        code: 'certificate-expiring',
        text: 'expires on 2026-12-10, in 17 days (min-days-valid 30), but kept: a new profile could not outlive certificate C1 (IOS_DEVELOPMENT C1), which expires on 2026-12-11',
      },
    ]);
    // A development profile holds every valid certificate, so the earliest bounds it.
    expect(planProfiles(input([expiring], { replacementCertificates: [cert('C2', 'DEVELOPMENT', 300), short] }))[0]?.action).toBe('keep');
  });

  it('recreates an expiring profile when a certificate outlives it by more than a day, and whenever another problem needs fixing', () => {
    const expiring = candidate({ expires: 17, certs: [cert('C1', 'IOS_DEVELOPMENT', 17)] });
    expect(planProfiles(input([expiring], { replacementCertificates: [cert('C2', 'DEVELOPMENT', 18.5)] }))[0]).toMatchObject({
      action: 'recreate',
      reasons: [{ code: 'expiring' }],
    });
    const lacking = candidate({ expires: 17, certs: [cert('C1', 'IOS_DEVELOPMENT', 17)], udids: [] });
    const [d] = planProfiles(input([lacking], { replacementCertificates: [cert('C1', 'IOS_DEVELOPMENT', 17)] }));
    expect(d?.action).toBe('recreate');
    expect(d?.reasons.map((r) => r.code)).toEqual(['expiring', 'missing-devices']);
  });

  it('keeps the best of several profiles of one name and removes the stale duplicates', () => {
    const good = candidate({ id: 'P2' });
    const stale = candidate({ id: 'P1', expires: -5 });
    const [d] = planProfiles(input([stale, good]));
    expect(d?.action).toBe('keep');
    expect(d?.keep?.profile.id).toBe('P2');
    expect(d?.remove.map((r) => r.profile.id)).toEqual(['P1']);
    expect(d?.reasons[0]?.code).toBe('duplicate');
  });

  it('recreates every profile of the name on rotation, valid or not', () => {
    const [d] = planProfiles(input([candidate({})], { rotate: true }));
    expect(d).toMatchObject({ action: 'recreate', reasons: [{ code: 'rotate' }] });
  });

  it('requires the certificates named in certificate-ids', () => {
    const [d] = planProfiles(input([candidate({})], { certificateIds: ['C1', 'C9'] }));
    expect(d?.reasons).toEqual([{ code: 'missing-certificate', text: 'it lacks certificate C9' }]);
  });
});

describe('certificate choice', () => {
  const certs = [
    cert('OLD', 'DISTRIBUTION', 20),
    cert('NEW', 'DISTRIBUTION', 300),
    cert('GONE', 'DISTRIBUTION', -1),
    cert('DEV', 'IOS_DEVELOPMENT', 100),
    cert('UNI', 'DEVELOPMENT', 200),
  ];
  it('gives a distribution profile the one certificate valid longest', () => {
    expect(
      chooseCertificates(certs, { profileType: 'IOS_APP_STORE', info: profileTypeInfo('IOS_APP_STORE'), api: 'app-store-connect', now: NOW }).map((c) => c.id),
    ).toEqual(['NEW']);
  });
  it('gives a development profile every valid fitting certificate', () => {
    expect(chooseCertificates(certs, { profileType: 'IOS_APP_DEVELOPMENT', info, api: 'app-store-connect', now: NOW }).map((c) => c.id)).toEqual([
      'UNI',
      'DEV',
    ]);
  });
  it('names the certificate type to create when none fits: DEVELOPMENT for development profiles, and the Account Holder for Developer ID', () => {
    expect(() =>
      chooseCertificates([cert('D', 'DISTRIBUTION', 100)], { profileType: 'IOS_APP_DEVELOPMENT', info, api: 'app-store-connect', now: NOW }),
    ).toThrow(
      /^The account has no valid DEVELOPMENT or IOS_DEVELOPMENT certificate, which a IOS_APP_DEVELOPMENT profile needs; create a DEVELOPMENT certificate first \(download-certificate with create-if-missing: true/,
    );
    expect(() =>
      chooseCertificates(certs, { profileType: 'MAC_APP_DIRECT', info: profileTypeInfo('MAC_APP_DIRECT'), api: 'app-store-connect', now: NOW }),
    ).toThrow(
      /^The account has no valid DEVELOPER_ID_APPLICATION_G2 or DEVELOPER_ID_APPLICATION certificate, which a MAC_APP_DIRECT profile needs; have the Account Holder create a DEVELOPER_ID_APPLICATION_G2 certificate in Certificates, Identifiers & Profiles/,
    );
  });

  it("uses one rule for the type a profile asks for: the missing-certificate error names provision's default certificate-type, for every profile type", () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const profileType of PROFILE_TYPE_NAMES) {
      const typeInfo = profileTypeInfo(profileType);
      const api = typeInfo.api ?? 'app-store-connect';
      const inputs: Record<string, string> = {
        'key-id': 'ABC123DEFG',
        'issuer-id': '57246542-96fe-1a63-e053-0824d011072a',
        'private-key': pem,
        api,
        'bundle-id': 'com.example.app',
        'profile-type': profileType,
        'min-days-valid': '30',
        'signing-key': pem,
      };
      const parsed = parseProvisionInputs({ get: (n) => inputs[n] ?? '', mask: () => undefined });
      let named = '';
      try {
        chooseCertificates([], { profileType, info: typeInfo, api, now: NOW });
      } catch (err) {
        named = /create a (\w+) certificate/.exec((err as Error).message)?.[1] ?? '';
      }
      expect([profileType, named]).toEqual([profileType, parsed.certificate.certificateType]);
      if (typeInfo.development) expect(named).toBe('DEVELOPMENT');
    }
  });

  it('refuses a certificate-ids entry of the wrong type or expired, naming it', () => {
    const o = { profileType: 'IOS_APP_STORE' as const, info: profileTypeInfo('IOS_APP_STORE'), api: 'app-store-connect' as const, now: NOW };
    expect(() => chooseCertificates(certs, { ...o, ids: ['DEV'] })).toThrow(
      /^Certificate DEV given in certificate-ids is a IOS_DEVELOPMENT certificate, but a IOS_APP_STORE profile takes DISTRIBUTION or IOS_DISTRIBUTION/,
    );
    expect(() => chooseCertificates(certs, { ...o, ids: ['GONE'] })).toThrow(/^Certificate GONE given in certificate-ids expired/);
    expect(() => chooseCertificates(certs, { ...o, ids: ['NOPE'] })).toThrow(/^Certificate NOPE given in certificate-ids is not on this account/);
  });
});

describe('bundle ID matching', () => {
  const listed = [bundle('com.example.app.widget'), bundle('com.example.app'), bundle('COM.EXAMPLE.APP', 'B-upper')];
  it('matches exactly and case-sensitively, never by prefix', () => {
    expect(exactBundleId(listed, 'com.example.app')?.id).toBe('B-com.example.app');
    expect(exactBundleId(listed, 'com.example')).toBeUndefined();
  });
  it('names close identifiers: other case, extensions, parents, typos', () => {
    expect(closeIdentifiers(['com.example.app.widget', 'COM.EXAMPLE.APP', 'com.exmaple.app', 'org.unrelated.thing'], 'com.example.app')).toEqual([
      'COM.EXAMPLE.APP',
      'com.example.app.widget',
      'com.exmaple.app',
    ]);
  });
});

/** `openssl cms -sign` of a plist with a throwaway self-signed certificate (DER; BER with `-stream`). */
async function opensslSigned(text: string, extra: string[] = []): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asa-cms-'));
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'crt.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-subj', '/CN=Test', '-days', '1'], {
    stdio: 'ignore',
  });
  await writeFile(path.join(dir, 'p.plist'), text);
  return execFileSync('openssl', [
    'cms',
    '-sign',
    '-nodetach',
    '-binary',
    ...extra,
    '-outform',
    'DER',
    '-in',
    path.join(dir, 'p.plist'),
    '-signer',
    crt,
    '-inkey',
    key,
  ]);
}

describe('profile files', () => {
  const plist = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict><key>Name</key><string>Mac App</string><key>Platform</key><array><string>OSX</string></array><key>ProvisionedDevices</key><array><string>UDID-1</string></array><key>TeamIdentifier</key><array><string>TEAM123456</string></array><key>UUID</key><string>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</string></dict></plist>\n`;

  it('reads the plist out of a BER (indefinite-length, streamed) CMS SignedData, as older Apple profiles are', async () => {
    const ber = await opensslSigned(plist, ['-stream']);
    expect([ber[0], ber[1]]).toEqual([0x30, 0x80]);
    expect(profilePlist(ber)).toBe(plist);
    expect(readProfileInfo(ber).uuid).toBe('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  });

  it('reads the plist out of an openssl-made CMS SignedData and names macOS profiles .provisionprofile', async () => {
    const der = await opensslSigned(plist);
    expect(profilePlist(der)).toBe(plist);
    expect(readProfileInfo(der)).toMatchObject({
      uuid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      name: 'Mac App',
      platforms: ['OSX'],
      teamId: 'TEAM123456',
      provisionedDevices: ['UDID-1'],
      extension: '.provisionprofile',
    });
  });

  it('refuses bytes that are not a CMS profile with one sentence', () => {
    expect(() => readProfileInfo(Buffer.from('not a profile'))).toThrow(
      'The profile Apple returned is not a CMS SignedData wrapping a plist (truncated); download or regenerate it.',
    );
  });
});

/** A CMS ContentInfo/SignedData skeleton in BER (indefinite lengths) around `content`, the element inside encapContentInfo's [0]. */
function berSignedData(content: Buffer): Buffer {
  const oid = Buffer.from('06092a864886f70d010702', 'hex');
  const head = ['3080', oid.toString('hex'), 'a080', '3080', '020101', '3100', '3080', oid.toString('hex'), 'a080'].join('');
  return Buffer.concat([Buffer.from(head, 'hex'), content, Buffer.alloc(10)]);
}

/** A primitive OCTET STRING (definite length). */
function octetString(bytes: Buffer): Buffer {
  const n = bytes.length;
  const len = n < 0x80 ? [n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([0x04, ...len]), bytes]);
}

/** `plist` as a constructed (indefinite-length) OCTET STRING of `pieces` primitive pieces, nested `depth` levels. */
function chunked(plist: string, pieces: number, depth = 1): Buffer {
  const bytes = Buffer.from(plist);
  const size = Math.ceil(bytes.length / pieces);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(octetString(bytes.subarray(at, at + size)));
  return Buffer.concat([Buffer.alloc(depth * 2, Buffer.from('2480', 'hex')), ...parts, Buffer.alloc(depth * 2)]);
}

const contentError = (f: () => unknown): ProfileContentError => thrown(ProfileContentError, f);

describe('profile files: bounds and bad data', () => {
  const uuid = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  const plistOf = (name: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Name</key><string>${name}</string><key>UUID</key><string>${uuid}</string></dict></plist>\n`;

  it('reads a plist in 40,000 BER pieces nested 55 levels deep, in one linear pass', () => {
    const der = berSignedData(chunked(plistOf('x'.repeat(900_000)), 40_000, 55));
    const start = performance.now();
    expect(readProfileInfo(der).uuid).toBe(uuid);
    expect(performance.now() - start).toBeLessThan(1500);
  });

  it('refuses a profile over 1 MiB at once, in one sentence naming it (a 15.6 MiB one took minutes)', () => {
    const der = berSignedData(octetString(Buffer.alloc(16_000_000, 0x41)));
    const start = performance.now();
    expect(contentError(() => readProfileInfo(der, "profile 'Huge' (P1)")).message).toBe(
      `Profile 'Huge' (P1) is ${der.length} bytes, more than the 1048576 a provisioning profile may have, so it was not read.`,
    );
    expect(performance.now() - start).toBeLessThan(100);
  });

  it('refuses BER nested deeper than 64 levels with one sentence, never a stack overflow, and quickly', () => {
    for (const depth of [65, 2000, 200_000]) {
      const der = berSignedData(chunked(plistOf('x'), 1, depth)).subarray(0, 1024 * 1024);
      const start = performance.now();
      expect(contentError(() => readProfileInfo(der, "profile 'Deep' (P2)")).message).toMatch(
        /^Profile 'Deep' \(P2\) is not a CMS SignedData wrapping a plist \((elements nested deeper than 64 levels|truncated)\); download or regenerate it\.$/,
      );
      expect(performance.now() - start).toBeLessThan(200);
    }
  });

  it('names the profile when the plist inside is not well-formed, not XML, or nested too deep, and prints nothing', async () => {
    const errors: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args));
    const broken = await opensslSigned('<?xml version="1.0"?><plist><dict><key>UUID</key><string>x</dict>');
    expect(contentError(() => readProfileInfo(broken, "profile 'Broken' (P3)")).message).toBe(
      "Profile 'Broken' (P3) holds a plist that is not well-formed, not a readable XML property list; download or regenerate it.",
    );
    expect(contentError(() => readProfileInfo(berSignedData(chunked('bplist00\u0000\u0001', 1)), "profile 'Binary' (P4)")).message).toBe(
      "Profile 'Binary' (P4) holds other data, not a readable XML property list; download or regenerate it.",
    );
    const deep = `<plist>${'<array>'.repeat(10_000)}${'</array>'.repeat(10_000)}</plist>`;
    expect(contentError(() => readProfileInfo(berSignedData(chunked(deep, 1)), "profile 'Nested' (P5)")).message).toBe(
      "Profile 'Nested' (P5) holds a plist nested deeper than 64 levels, not a readable XML property list; download or regenerate it.",
    );
    spy.mockRestore();
    expect(errors).toEqual([]);
  });
});
