import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSerials } from '../../src/business/serials.js';
import { InputError } from '../../src/core/errors.js';
import { decodeListBytes } from '../../src/core/list-input.js';
import { parseDeviceFile, parseDeviceJson, parseDeviceText } from '../../src/devices/list.js';
import { thrown } from '../support/thrown.js';
import { planDevices } from '../../src/devices/plan.js';
import type { Device } from '../../src/apple/types.js';

const LEGACY = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const MODERN = '00008110-000E49383CF8801E';
const INTEL_MAC = '564D4F9E-3B2A-5C1D-9E8F-0A1B2C3D4E5F';

describe('device lists', () => {
  it('reads Apple bulk-upload files as is (header, tabs, platform column)', () => {
    const list = parseDeviceText(`Device ID\tDevice Name\tDevice Platform\n${LEGACY}\tOld iPhone\tios\n${INTEL_MAC}\tBuild Mac\tmac\n`, 'IOS');
    expect(list.problems).toEqual([]);
    expect(list.entries).toEqual([
      { line: 2, udid: LEGACY, name: 'Old iPhone', platform: 'IOS' },
      { line: 3, udid: INTEL_MAC, name: 'Build Mac', platform: 'MAC_OS' },
    ]);
  });
  it('accepts comma and two-or-more-space separators, comments and blank lines, and the default platform', () => {
    const list = parseDeviceText(`# team devices\n\n${MODERN}, Ana's iPhone 15\n${LEGACY}    QA iPad  IOS\n`, 'MAC_OS');
    expect(list.entries.map((e) => [e.line, e.name, e.platform])).toEqual([
      [3, "Ana's iPhone 15", 'MAC_OS'],
      [4, 'QA iPad', 'IOS'],
    ]);
  });
  it('reports bad lines with their numbers and keeps the good ones', () => {
    const list = parseDeviceText(`${MODERN},One\nnot-a-udid,Two\n${LEGACY}\n${LEGACY},Three,WINDOWS\n`, 'IOS');
    expect(list.entries.map((e) => e.line)).toEqual([1]);
    expect(list.problems.map((p) => [p.line, p.problem])).toEqual([
      [2, "'not-a-udid' is not a UDID (40 hex digits, 8-16 hex digits like 00008110-000E49383CF8801E, or a Mac's hardware UUID)"],
      [3, `no device name after UDID ${LEGACY}`],
      [4, "platform 'WINDOWS' is not IOS or MAC_OS"],
    ]);
  });
  it('treats a UDID listed twice, in any case, as one device', () => {
    const list = parseDeviceText(`${MODERN},One\n${MODERN.toLowerCase()},Again\n`, 'IOS');
    expect(list.entries).toHaveLength(1);
    expect(list.duplicates[0]?.line).toBe(2);
  });
  it('reads JSON arrays and quoted CSV', () => {
    const json = parseDeviceFile('d.json', JSON.stringify([{ udid: MODERN, name: 'A', platform: 'macos' }, { udid: 'x' }]), 'IOS');
    expect(json.entries).toEqual([{ line: 1, udid: MODERN, name: 'A', platform: 'MAC_OS' }]);
    expect(json.problems[0]?.line).toBe(2);
    const csv = parseDeviceFile('d.csv', `udid,name,platform\n${LEGACY},"Smith, J. iPhone",IOS\n`, 'IOS');
    expect(csv.entries[0]?.name).toBe('Smith, J. iPhone');
  });
});

const inputError = (f: () => unknown): InputError => thrown(InputError, f);

/** Runs `f` and returns how long it took, in milliseconds. */
function timed(f: () => unknown): number {
  const start = performance.now();
  try {
    f();
  } catch {
    // only the time matters here
  }
  return performance.now() - start;
}

describe('list input: CSV, headers, encodings and bounds', () => {
  it('reads a quoted CSV name holding a comma, with the columns in any order named by the header', () => {
    const csv = parseDeviceFile('d.csv', `Name,Platform,UDID\n"iPad Pro (11-inch), Wi-Fi",ipados,${MODERN}\n"Say ""hi""",mac,${LEGACY}\n`, 'MAC_OS');
    expect(csv.problems).toEqual([]);
    expect(csv.entries).toEqual([
      { line: 2, udid: MODERN, name: 'iPad Pro (11-inch), Wi-Fi', platform: 'IOS' },
      { line: 3, udid: LEGACY, name: 'Say "hi"', platform: 'MAC_OS' },
    ]);
    const apple = parseDeviceText(`Device Platform\tDevice Name\tDevice ID\nmac\tBuild Mac\t${INTEL_MAC}\n`, 'IOS');
    expect(apple.entries).toEqual([{ line: 2, udid: INTEL_MAC, name: 'Build Mac', platform: 'MAC_OS' }]);
    expect(parseDeviceText(`${MODERN},"iPad Pro (11-inch), Wi-Fi"`, 'IOS').entries[0]?.name).toBe('iPad Pro (11-inch), Wi-Fi');
  });

  it('reads serial numbers next to a quoted model holding a comma, with or without a header, in any column', () => {
    expect(parseSerials('"iPad Pro (11-inch), Wi-Fi",F9FXK1Q2AB12\n', 'serial-numbers').serials).toEqual(['F9FXK1Q2AB12']);
    expect(
      parseSerials('Model,Serial Number\n"iPad Pro (11-inch), Wi-Fi",F9FXK1Q2AB12\n"iPhone 15, blue",DMPXW0AAQ1GC\n', 'serial-numbers-file').serials,
    ).toEqual(['F9FXK1Q2AB12', 'DMPXW0AAQ1GC']);
    expect(parseSerials('Order\tModel\tSerial No.\n1\tiPad, 10th\tf9fxk1q2ab12 # spare\n', 'serial-numbers-file').serials).toEqual(['F9FXK1Q2AB12']);
    expect(parseSerials(`F9FXK1Q2AB12, 'DMPXW0AAQ1GC'; "C02XL0GVJGH5"`, 'serial-numbers').serials).toEqual(['F9FXK1Q2AB12', 'DMPXW0AAQ1GC', 'C02XL0GVJGH5']);
  });

  it('strips a UTF-8 byte-order mark and reads UTF-16 with one (LE or BE); UTF-16 without one gets a sentence naming it', () => {
    const text = `Serial Number\nF9FXK1Q2AB12\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${MODERN},A\n`)]);
    expect(decodeListBytes(le, 'f')).toBe(text);
    expect(decodeListBytes(be, 'f')).toBe(text);
    expect(parseDeviceText(decodeListBytes(utf8, 'f'), 'IOS').entries[0]?.udid).toBe(MODERN);
    expect(parseDeviceText(`\uFEFF${MODERN},A\n`, 'IOS').entries[0]?.udid).toBe(MODERN);
    expect(inputError(() => decodeListBytes(Buffer.from(text, 'utf16le'), 'devices-file')).message).toBe(
      'Input devices-file is UTF-16 LE text without a byte-order mark; save it as UTF-8 (or UTF-16 with a byte-order mark) and run again.',
    );
    expect(inputError(() => decodeListBytes(Buffer.from(text, 'utf16le').swap16(), 'devices-file')).message).toContain('UTF-16 BE');
  });

  it('refuses a line over 4 KB with one sentence naming its number, in device and serial lists', () => {
    const long = 'x'.repeat(5000);
    expect(inputError(() => parseDeviceText(`${MODERN},A\n\n${long}\n`, 'IOS', 'devices')).message).toBe(
      'Input devices has a line of 5000 characters on line 3, longer than the 4096 a list line may have; give one entry a line.',
    );
    expect(inputError(() => parseSerials(`F9FXK1Q2AB12\n${long}`, 'serial-numbers')).message).toMatch(
      /^Input serial-numbers has a line of 5000 characters on line 2, /,
    );
  });

  it('reads a 4 KB line in linear time (the header pattern was cubic: 12 s for this line)', () => {
    expect(timed(() => parseDeviceText('udid' + ' '.repeat(4090) + 'x', 'IOS'))).toBeLessThan(250);
    expect(timed(() => parseDeviceText('udid,' + ' ,'.repeat(2040) + 'name', 'IOS'))).toBeLessThan(250);
    expect(timed(() => parseSerials('serial' + ' '.repeat(4080) + 'x', 'serial-numbers'))).toBeLessThan(250);
  });

  it('refuses JSON nested deeper than 64 levels with one sentence, never a stack overflow', () => {
    const deep = (n: number): string => '[' + '['.repeat(n) + ']'.repeat(n) + ']';
    expect(inputError(() => parseDeviceJson(deep(100_000), 'IOS')).message).toBe(
      'Input devices-file nests JSON deeper than 64 levels; give an array of {"udid", "name", "platform"} objects.',
    );
    expect(() => parseDeviceJson(deep(62), 'IOS')).not.toThrow();
  });

  it('treats an empty JSON file as an empty list and does not repeat the text of invalid JSON', () => {
    expect(parseDeviceJson(' \n', 'IOS')).toEqual({ entries: [], problems: [], duplicates: [] });
    const bad = parseDeviceJson('-----BEGIN PRIVATE KEY-----', 'IOS');
    expect(bad.problems.map((p) => p.problem)).toEqual(['not valid JSON (at position 1)']);
  });

  it('never repeats a key pasted as a device or serial number', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const body = pem.split('\n')[1] as string;
    const list = parseDeviceText(pem, 'IOS');
    expect(list.problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(list.problems.map((p) => p.problem))).not.toContain(body);
    expect(list.problems[0]?.problem).toMatch(/^a value that looks like a key or other secret \(not shown\) is not a UDID/);
    expect(inputError(() => parseSerials(pem, 'serial-numbers')).message).not.toContain(body);
  });
});

function device(id: string, udid: string, status: 'ENABLED' | 'DISABLED' | 'PROCESSING'): Device {
  return { type: 'devices', id, attributes: { udid, name: id, platform: 'IOS', status } };
}

describe('device plan', () => {
  const wanted = parseDeviceText(`${MODERN},New\n${LEGACY},Off\n${INTEL_MAC},On\n`, 'IOS').entries;
  const existing = [device('D1', LEGACY.toUpperCase(), 'DISABLED'), device('D2', INTEL_MAC.toLowerCase(), 'ENABLED')];
  it('registers unknown UDIDs, enables disabled ones and leaves enabled ones, matching UDIDs case-insensitively', () => {
    expect(planDevices(existing, wanted, true).map((p) => p.action)).toEqual(['register', 'enable', 'none']);
  });
  it('leaves disabled devices alone when enable-disabled is false, saying so', () => {
    const plan = planDevices(existing, wanted, false);
    expect(plan[1]).toMatchObject({ action: 'none', note: 'disabled on the account; enable-disabled is false' });
  });
  it('does not touch a PROCESSING device', () => {
    expect(planDevices([device('D3', MODERN, 'PROCESSING')], wanted.slice(0, 1), true)[0]?.action).toBe('none');
  });
});
