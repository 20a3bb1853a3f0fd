import { build, parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { buildPlist, parsePlist, PlistError, MAX_PLIST_DEPTH } from '../../src/core/plist.js';

const sample = {
  AppIDName: 'Example & <Friends>',
  ApplicationIdentifierPrefix: ['ABCDE12345'],
  CreationDate: new Date('2026-01-02T03:04:05Z'),
  DeveloperCertificates: [Buffer.from('certificate bytes')],
  Entitlements: { 'aps-environment': 'production', 'get-task-allow': false, 'keychain-access-groups': ['ABCDE12345.*'] },
  IsXcodeManaged: false,
  TimeToLive: 365,
  Ratio: 1.5,
  Empty: {},
  None: [],
  ProvisionedDevices: ['00008110-000A1B2C3D4E5F60', 'x'.repeat(40)],
  Unicode: 'Zoë’s iPhone 🚀',
};

/** Data as Buffer, whichever Uint8Array a reader returns, so values compare by content. */
function normal(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (Array.isArray(v)) return v.map(normal);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
  return v;
}

describe('XML plists (core/plist)', () => {
  it('reads what the plist package writes, value for value', () => {
    expect(normal(parsePlist(build(sample)))).toEqual(normal(parse(build(sample))));
  });
  it('writes what the plist package reads back the same', () => {
    expect(normal(parse(buildPlist(sample)))).toEqual(sample);
    expect(normal(parsePlist(buildPlist(sample)))).toEqual(sample);
  });
  it('writes the same bytes for the same value', () => {
    expect(buildPlist(sample)).toBe(buildPlist({ ...sample, DeveloperCertificates: [Buffer.from('certificate bytes')] }));
  });
  it('reads entities, character references, CDATA and comments', () => {
    const xml =
      '<?xml version="1.0"?><!-- c --><plist version="1.0"><dict><key>a&amp;b</key><string>&#x41;&#66;&lt;<![CDATA[]]></string><key>c</key><string><![CDATA[x<y & z]]></string></dict></plist>';
    expect(parsePlist(xml)).toEqual({ 'a&b': 'AB<', c: 'x<y & z' });
  });
  it('keeps __proto__ a plain key', () => {
    const v = parsePlist('<plist><dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict></plist>') as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });
  it.each([
    ['no plist', '<dict/>', /no <plist> element/],
    ['an unclosed dict', '<plist><dict><key>a</key><string>b</string></plist>', /holds <\/plist>|never closed/],
    ['a key without value', '<plist><dict><key>a</key></dict></plist>', /where a <key> belongs|unexpected/],
    ['a bad integer', '<plist><integer>12a</integer></plist>', /not a whole number/],
    ['a bad date', '<plist><date>yesterday</date></plist>', /not an ISO 8601/],
    ['bad base64', '<plist><data>@@</data></plist>', /not base64/],
    ['an unknown entity', '<plist><string>&nbsp;</string></plist>', /not one XML defines/],
    ['an unknown element', '<plist><foo/></plist>', /not a plist element/],
    ['two values', '<plist><true/><false/></plist>', /exactly one value/],
    ['trailing content', '<plist><true/></plist><plist/>', /after <\/plist>/],
  ])('refuses %s with a PlistError', (_name, xml, message) => {
    expect(() => parsePlist(xml)).toThrow(PlistError);
    expect(() => parsePlist(xml)).toThrow(message);
  });
  it(`refuses nesting deeper than ${MAX_PLIST_DEPTH} levels without overflowing the stack`, () => {
    const deep = '<plist>' + '<array>'.repeat(100_000) + '</array>'.repeat(100_000) + '</plist>';
    expect(() => parsePlist(deep)).toThrow(/deeper than 64/);
    const ok = '<plist>' + '<array>'.repeat(MAX_PLIST_DEPTH - 1) + '</array>'.repeat(MAX_PLIST_DEPTH - 1) + '</plist>';
    expect(() => parsePlist(ok)).not.toThrow();
  });
  it('reads a large profile-sized plist in linear time', () => {
    const big = { ProvisionedDevices: Array.from({ length: 20_000 }, (_, i) => `00008110-${i.toString(16).padStart(16, '0')}`) };
    const xml = buildPlist(big);
    const started = performance.now();
    expect(parsePlist(xml)).toEqual(big);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
