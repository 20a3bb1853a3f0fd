import { describe, expect, it } from 'vitest';
import { parseDeviceFile, parseDeviceText } from '../../src/devices/list.js';
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
