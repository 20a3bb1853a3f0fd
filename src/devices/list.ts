/**
 * Reads the device lists users keep: one device a line (`UDID<sep>NAME[<sep>PLATFORM]`, sep = tab,
 * comma or 2+ spaces), Apple's bulk-upload file as is, a JSON array, or CSV. Bad lines are reported
 * with their line number and do not stop the others.
 */
import type { BundleIdPlatform } from '../apple/types.js';

export type DevicePlatform = Extract<BundleIdPlatform, 'IOS' | 'MAC_OS'>;

export interface DeviceEntry {
  /** 1-based line (or JSON array position) in the source, for messages. */
  line: number;
  udid: string;
  name: string;
  platform: DevicePlatform;
}

export interface LineProblem {
  line: number;
  text: string;
  problem: string;
}

export interface DeviceList {
  entries: DeviceEntry[];
  problems: LineProblem[];
  /** Lines naming a UDID already listed earlier; skipped. */
  duplicates: LineProblem[];
}

/** Legacy 40 hex; 8-16 hex (iPhone XS and later, Apple-silicon Macs); Intel Mac hardware UUID. */
const UDID_FORMS = [/^[0-9a-f]{40}$/i, /^[0-9a-f]{8}-[0-9a-f]{16}$/i, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i];

export function isValidUdid(udid: string): boolean {
  return UDID_FORMS.some((re) => re.test(udid));
}

const PLATFORM_ALIASES: Record<string, DevicePlatform> = {
  ios: 'IOS',
  ipados: 'IOS',
  tvos: 'IOS',
  watchos: 'IOS',
  visionos: 'IOS',
  mac_os: 'MAC_OS',
  macos: 'MAC_OS',
  mac: 'MAC_OS',
  osx: 'MAC_OS',
};

export function parsePlatform(value: string): DevicePlatform | undefined {
  return PLATFORM_ALIASES[value.trim().toLowerCase().replace(/[\s-]/g, '')];
}

const HEADER = /^(device\s*id|udid)\s*(\t|,|\s{2,})\s*(device\s*name|name)\b/i;

function check(
  line: number,
  text: string,
  udid: string | undefined,
  name: string | undefined,
  platformText: string | undefined,
  fallback: DevicePlatform,
): DeviceEntry | LineProblem {
  const u = (udid ?? '').trim();
  const n = (name ?? '').trim();
  if (!u) return { line, text, problem: 'no UDID' };
  if (!isValidUdid(u)) {
    return { line, text, problem: `'${u}' is not a UDID (40 hex digits, 8-16 hex digits like 00008110-000E49383CF8801E, or a Mac's hardware UUID)` };
  }
  if (!n) return { line, text, problem: `no device name after UDID ${u}` };
  let platform = fallback;
  if (platformText !== undefined && platformText.trim() !== '') {
    const p = parsePlatform(platformText);
    if (!p) return { line, text, problem: `platform '${platformText.trim()}' is not IOS or MAC_OS` };
    platform = p;
  }
  return { line, udid: u, name: n, platform };
}

function collect(items: (DeviceEntry | LineProblem)[]): DeviceList {
  const list: DeviceList = { entries: [], problems: [], duplicates: [] };
  const seen = new Map<string, number>();
  for (const item of items) {
    if ('problem' in item) {
      list.problems.push(item);
      continue;
    }
    const key = item.udid.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      list.duplicates.push({ line: item.line, text: item.udid, problem: `UDID ${item.udid} is listed again (first on line ${first}); this line is skipped` });
      continue;
    }
    seen.set(key, item.line);
    list.entries.push(item);
  }
  return list;
}

/** Splits one CSV record, honouring double quotes. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Text lists and Apple's bulk-upload file. CSV-quoted fields are honoured when the line is comma-separated. */
export function parseDeviceText(text: string, fallback: DevicePlatform): DeviceList {
  const items: (DeviceEntry | LineProblem)[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/^\uFEFF/, '').trim();
    if (t === '' || t.startsWith('#') || HEADER.test(t)) return;
    let fields: string[];
    if (t.includes('\t')) fields = t.split('\t');
    else if (t.includes(',') && (isValidUdid((csvFields(t)[0] ?? '').trim()) || !/\s{2,}/.test(t))) fields = csvFields(t);
    else fields = t.split(/\s{2,}/);
    items.push(check(line, t, fields[0], fields[1], fields[2], fallback));
  });
  return collect(items);
}

/** A JSON array of `{udid, name, platform?}`; positions are reported as entry numbers. */
export function parseDeviceJson(text: string, fallback: DevicePlatform): DeviceList {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { entries: [], duplicates: [], problems: [{ line: 1, text: '', problem: `not valid JSON (${(err as Error).message})` }] };
  }
  if (!Array.isArray(data))
    return { entries: [], duplicates: [], problems: [{ line: 1, text: '', problem: 'the JSON is not an array of {udid, name, platform}' }] };
  return collect(
    data.map((d: unknown, i) => {
      const o = (d && typeof d === 'object' ? d : {}) as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      return check(i + 1, JSON.stringify(d), str(o['udid']), str(o['name']), str(o['platform']), fallback);
    }),
  );
}

/** Chooses the parser by file name: `.json` is JSON, anything else (.txt, .csv, .deviceids) is text. */
export function parseDeviceFile(fileName: string, text: string, fallback: DevicePlatform): DeviceList {
  return fileName.toLowerCase().endsWith('.json') ? parseDeviceJson(text, fallback) : parseDeviceText(text, fallback);
}
