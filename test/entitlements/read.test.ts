// The entitlements reader (XML and binary property lists, bounded, one sentence naming the file on bad
// data) and the entitlement -> capability table.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'plist';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { MAX_DEPTH, parseBinaryPlist } from '../../src/entitlements/bplist.js';
import { CAPABILITY_TYPES } from '../../src/apple/capability-types.js';
import { CAPABILITIES_WITHOUT_ENTITLEMENT, ENTITLEMENT_RULES, translateEntitlements } from '../../src/entitlements/capabilities.js';
import { MAX_ENTITLEMENTS_BYTES, parseEntitlements, readEntitlementsFile } from '../../src/entitlements/read.js';
import type { components } from '../../src/generated/asc.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');

/** A binary plist from its objects (already encoded) and the index of the top one: header, objects, offset table, trailer. */
function bplist(objects: Buffer[], top = 0, o: { refSize?: number; offsetSize?: number; count?: number; tableAt?: number } = {}): Buffer {
  const refSize = o.refSize ?? 1;
  const offsetSize = o.offsetSize ?? 2;
  const parts: Buffer[] = [Buffer.from('bplist00', 'latin1')];
  const offsets: number[] = [];
  let at = 8;
  for (const obj of objects) {
    offsets.push(at);
    parts.push(obj);
    at += obj.length;
  }
  const table = Buffer.alloc(offsets.length * offsetSize);
  offsets.forEach((off, i) => table.writeUIntBE(off, i * offsetSize, offsetSize));
  const trailer = Buffer.alloc(32);
  trailer[6] = offsetSize;
  trailer[7] = refSize;
  trailer.writeBigUInt64BE(BigInt(o.count ?? objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(top), 16);
  trailer.writeBigUInt64BE(BigInt(o.tableAt ?? at), 24);
  return Buffer.concat([...parts, table, trailer]);
}
const ascii = (s: string) => Buffer.concat([Buffer.from([0x50 | s.length]), Buffer.from(s, 'latin1')]);
const array = (...refs: number[]) => Buffer.from([0xa0 | refs.length, ...refs]);
const dict = (keys: number[], values: number[]) => Buffer.from([0xd0 | keys.length, ...keys, ...values]);

function sentence(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('reading entitlements', () => {
  it('reads the XML and the binary form of the same file alike', async () => {
    const xml = await readEntitlementsFile(path.join(FIXTURES, 'App.entitlements'));
    const binary = await readEntitlementsFile(path.join(FIXTURES, 'App.binary.entitlements'));
    expect(binary).toEqual(xml);
    expect(xml['aps-environment']).toBe('development');
    expect(xml['com.apple.developer.associated-domains']).toEqual(['applinks:example.com', 'webcredentials:example.com']);
  });

  it('reads every value type of a binary plist (python plistlib wrote this one)', async () => {
    const mac = await readEntitlementsFile(path.join(FIXTURES, 'Mac.binary.entitlements'));
    expect(mac).toMatchObject({ n: 42, big: 2 ** 40, neg: -5, pi: 3.5, uni: 'Grüße ✓', nested: { a: [1, { b: 'c' }] } });
    expect(mac['when']).toEqual(new Date('2024-01-02T03:04:05Z'));
    expect([...(mac['blob'] as Uint8Array)]).toEqual([0, 1]);
  });

  it('refuses a file over 1 MiB before reading it, and a missing file, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'asa-ent-'));
    const big = path.join(dir, 'Big.entitlements');
    await writeFile(big, Buffer.alloc(MAX_ENTITLEMENTS_BYTES + 1, 0x20));
    await expect(readEntitlementsFile(big)).rejects.toThrow(/Big\.entitlements', which is over 1 MiB/);
    await expect(readEntitlementsFile(path.join(dir, 'None.entitlements'))).rejects.toThrow(/None\.entitlements', but no readable file is there/);
  });

  it('turns malformed data into one sentence naming the file', () => {
    expect(sentence(() => parseEntitlements(Buffer.from('<plist><dict><key>a</key>'), 'A.entitlements'))).toMatch(
      /^Input entitlements names 'A\.entitlements', which is not a readable entitlements property list \(.+\); give/,
    );
    expect(sentence(() => parseEntitlements(Buffer.from('{"a":1}'), 'J.entitlements'))).toMatch(/neither an XML nor a binary property list/);
    expect(sentence(() => parseEntitlements(Buffer.from(build(['a'])), 'L.entitlements'))).toMatch(/top level is not a dictionary/);
    expect(sentence(() => parseEntitlements(Buffer.from('bplist00'), 'T.entitlements'))).toMatch(/shorter than its trailer/);
  });

  it('stops on a binary plist whose objects contain themselves, nest too deep, or point outside the file', () => {
    expect(sentence(() => parseEntitlements(bplist([array(0)]), 'Loop.entitlements'))).toMatch(/contains itself/);
    const deep = Array.from({ length: MAX_DEPTH + 2 }, (_, i) => array(i + 1));
    deep.push(ascii('x'));
    expect(sentence(() => parseEntitlements(bplist(deep), 'Deep.entitlements'))).toMatch(/nests deeper than 64/);
    expect(sentence(() => parseEntitlements(bplist([array(7)]), 'Ref.entitlements'))).toMatch(/reference points to no object/);
    expect(sentence(() => parseEntitlements(bplist([ascii('x')], 0, { count: 1_000_000 }), 'Count.entitlements'))).toMatch(/trailer does not fit/);
    // A string claiming 15 bytes in a 3-byte object area.
    expect(sentence(() => parseEntitlements(bplist([Buffer.from([0x5f, 0x10, 0xff])]), 'Len.entitlements'))).toMatch(/runs past the object area/);
  });

  it('bounds the work of shared objects: 2^40 paths through 41 arrays are refused, not walked', () => {
    // Object i is an array holding object i+1 twice: expanding it as a tree would take 2^40 values.
    const objects = Array.from({ length: 40 }, (_, i) => array(i + 1, i + 1));
    objects.push(ascii('x'));
    const started = Date.now();
    expect(() => parseBinaryPlist(bplist(objects))).toThrow(/more than 100000 values/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads a dictionary with a key named __proto__ as a plain key', () => {
    const ent = parseEntitlements(bplist([dict([1], [2]), ascii('__proto__'), ascii('v')]), 'P.entitlements');
    expect(Object.keys(ent)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['v']).toBeUndefined();
  });
});

describe('the entitlement -> capability table', () => {
  it('names every CapabilityType of the spec, each reachable from an entitlement or the capabilities input', () => {
    const spec: components['schemas']['CapabilityType'][] = [...CAPABILITY_TYPES];
    expect(spec).toHaveLength(28);
    const reached = new Set([...Object.values(ENTITLEMENT_RULES).map((r) => r.capability), ...CAPABILITIES_WITHOUT_ENTITLEMENT]);
    expect(CAPABILITY_TYPES.filter((t) => !reached.has(t))).toEqual([]);
  });

  it('translates push, associated domains and data protection with its level, and keeps known keys silent', async () => {
    const t = translateEntitlements(await readEntitlementsFile(path.join(FIXTURES, 'App.entitlements')), 'signing/App.entitlements', 'com.example.app');
    expect(t.capabilities.map((c) => c.type)).toEqual(['PUSH_NOTIFICATIONS', 'ASSOCIATED_DOMAINS', 'DATA_PROTECTION']);
    expect(t.capabilities[2]?.settings).toEqual([{ key: 'DATA_PROTECTION_PERMISSION_LEVEL', option: 'COMPLETE_PROTECTION' }]);
    expect(t.capabilities[0]?.because).toEqual(['aps-environment in App.entitlements']);
    expect(t.unknownKeys).toEqual([]);
    expect(t.manualSteps).toEqual([]);
  });

  it('asks for ICLOUD with XCODE_6 for CloudKit, names the container association and portal-only capabilities as manual steps, and lists unknown keys', async () => {
    const t = translateEntitlements(await readEntitlementsFile(path.join(FIXTURES, 'Mac.binary.entitlements')), 'Mac.binary.entitlements', 'com.example.mac');
    expect(t.capabilities).toEqual([
      {
        type: 'ICLOUD',
        settings: [{ key: 'ICLOUD_VERSION', option: 'XCODE_6' }],
        because: [
          'com.apple.developer.icloud-container-identifiers in Mac.binary.entitlements',
          'com.apple.developer.icloud-services in Mac.binary.entitlements',
        ],
      },
    ]);
    expect(t.manualSteps).toEqual([
      expect.stringMatching(
        /^Associate the iCloud container\(s\) iCloud\.com\.example\.mac with com\.example\.mac on the portal \(Certificates, Identifiers & Profiles > Identifiers .* > iCloud > Edit/,
      ),
      expect.stringMatching(
        /^Entitlement com\.apple\.developer\.weatherkit \(in Mac\.binary\.entitlements\) needs the WeatherKit capability, which the API cannot enable/,
      ),
    ]);
    // The sandbox and hardened-runtime keys are known and silent; these are not.
    expect(t.unknownKeys).toEqual(['big', 'blob', 'com.example.made-up', 'n', 'neg', 'nested', 'pi', 'uni', 'when']);
  });

  it('asks for APP_GROUPS and reports associating the group as a manual step', async () => {
    const t = translateEntitlements(await readEntitlementsFile(path.join(FIXTURES, 'Widget.entitlements')), 'Widget.entitlements', 'com.example.app.widget');
    expect(t.capabilities.map((c) => c.type)).toEqual(['PUSH_NOTIFICATIONS', 'ASSOCIATED_DOMAINS', 'APP_GROUPS']);
    expect(t.manualSteps).toEqual([
      expect.stringMatching(/^Associate the App Group\(s\) group\.com\.example\.shared with com\.example\.app\.widget on the portal .* > App Groups > Edit/),
    ]);
  });

  it('names at most five values of a file, without control characters, in a manual step', () => {
    const groups = ['group.\u001b[31mred\u0007', ...Array.from({ length: 20 }, (_, i) => `group.g${i}`)];
    const t = translateEntitlements({ 'com.apple.security.application-groups': groups }, 'A.entitlements', 'com.example.app');
    expect(t.manualSteps[0]).toMatch(
      /^Associate the App Group\(s\) group\.\[31mred, group\.g0, group\.g1, group\.g2, group\.g3 and 16 more with com\.example\.app/,
    );
    // eslint-disable-next-line no-control-regex -- checking that none are left
    expect(t.manualSteps[0]).not.toMatch(/[\u0000-\u001f]/);
  });
});
