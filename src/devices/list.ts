/**
 * Reads the device lists users keep: one device a line (`UDID<sep>NAME[<sep>PLATFORM]`, sep = tab,
 * comma or 2+ spaces), Apple's bulk-upload file as is, a JSON array, or CSV with its columns in any
 * order. Bad lines are reported with their line number and do not stop the others; input that is not
 * a list at all (an overlong line, JSON nested too deep) is refused with an InputError.
 */
import type { BundleIdPlatform } from '../apple/types.js';
import { InputError } from '../core/errors.js';
import { headerKey, listLines, splitCells } from '../core/list-input.js';
import { quoteValue } from '../core/redact.js';

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
  /** The line's UDID when it has a valid one, else ''. */
  udid: string;
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

function isValidUdid(udid: string): boolean {
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

function parsePlatform(value: string): DevicePlatform | undefined {
  return PLATFORM_ALIASES[value.trim().toLowerCase().replace(/[\s-]/g, '')];
}

/** Header cells (see headerKey) naming each column, as Apple's bulk-upload file and CSV exports write them. */
const COLUMN_NAMES = { udid: ['udid', 'deviceid'], name: ['name', 'devicename'], platform: ['platform', 'deviceplatform'] } as const;

interface Columns {
  udid: number;
  name: number;
  platform: number | undefined;
}

/** Without a header: UDID, name, platform. */
const POSITIONAL: Columns = { udid: 0, name: 1, platform: 2 };

/** The columns a header line names, or undefined when the line is not a header (it must name a UDID and a name column). */
function headerColumns(cells: readonly string[]): Columns | undefined {
  const keys = cells.map(headerKey);
  const find = (names: readonly string[]): number => keys.findIndex((k) => names.includes(k));
  const udid = find(COLUMN_NAMES.udid);
  const name = find(COLUMN_NAMES.name);
  if (udid < 0 || name < 0) return undefined;
  const platform = find(COLUMN_NAMES.platform);
  return { udid, name, platform: platform < 0 ? undefined : platform };
}

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
  if (!u) return { line, text, udid: '', problem: 'no UDID' };
  if (!isValidUdid(u)) {
    return {
      line,
      text,
      udid: '',
      problem: `${quoteValue(u)} is not a UDID (40 hex digits, 8-16 hex digits like 00008110-000E49383CF8801E, or a Mac's hardware UUID)`,
    };
  }
  if (!n) return { line, text, udid: u, problem: `no device name after UDID ${u}` };
  let platform = fallback;
  if (platformText !== undefined && platformText.trim() !== '') {
    const p = parsePlatform(platformText);
    if (!p) return { line, text, udid: u, problem: `platform ${quoteValue(platformText.trim())} is not IOS or MAC_OS` };
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
      list.duplicates.push({
        line: item.line,
        text: item.udid,
        udid: item.udid,
        problem: `UDID ${item.udid} is listed again (first on line ${first}); this line is skipped`,
      });
      continue;
    }
    seen.set(key, item.line);
    list.entries.push(item);
  }
  return list;
}

/**
 * One line's cells: tab-separated (Apple's file), quote-aware CSV, or separated by two or more spaces
 * (a comma then belongs to the name, as in `UDID  Smith, J. iPhone`).
 */
function deviceCells(t: string): string[] {
  if (t.includes('\t')) return splitCells(t, '\t').map((c) => c.value);
  if (t.includes(',')) {
    const csv = splitCells(t, ',').map((c) => c.value);
    if (!/\s{2,}/.test(t) || csv.some(isValidUdid)) return csv;
  }
  return t.split(/\s{2,}/);
}

/**
 * Text lists, Apple's bulk-upload file and CSV. A header line (UDID/Device ID and Name/Device Name, and
 * optionally Platform) says which column is which, in any order; without one the order is UDID, name, platform.
 */
export function parseDeviceText(text: string, fallback: DevicePlatform, input = 'devices'): DeviceList {
  const items: (DeviceEntry | LineProblem)[] = [];
  let columns = POSITIONAL;
  for (const { line, text: t } of listLines(text, input)) {
    const cells = deviceCells(t);
    const header = headerColumns(cells);
    if (header) {
      columns = header;
      continue;
    }
    items.push(check(line, t, cells[columns.udid], cells[columns.name], columns.platform === undefined ? undefined : cells[columns.platform], fallback));
  }
  return collect(items);
}

/** Deepest JSON nesting read; a device list needs 2 (an array of objects). */
const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests arrays and objects deeper than `max`, found in one pass before parsing. */
function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if (c === ']' || c === '}') depth--;
  }
  return false;
}

/** A JSON array of `{udid, name, platform?}`; positions are reported as entry numbers. Blank text is an empty list. */
export function parseDeviceJson(text: string, fallback: DevicePlatform, input = 'devices-file'): DeviceList {
  const empty: DeviceList = { entries: [], duplicates: [], problems: [] };
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return empty;
  if (jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new InputError(input, `Input ${input} nests JSON deeper than ${MAX_JSON_DEPTH} levels; give an array of {"udid", "name", "platform"} objects.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    // V8's message quotes the text, which is not repeated; only where it broke is.
    const at = /at position \d+/.exec((err as Error).message)?.[0];
    return { ...empty, problems: [{ line: 1, text: '', udid: '', problem: `not valid JSON${at ? ` (${at})` : ''}` }] };
  }
  if (!Array.isArray(data)) return { ...empty, problems: [{ line: 1, text: '', udid: '', problem: 'the JSON is not an array of {udid, name, platform}' }] };
  return collect(
    data.map((d: unknown, i) => {
      const o = (d && typeof d === 'object' ? d : {}) as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      return check(i + 1, JSON.stringify(d).slice(0, 200), str(o['udid']), str(o['name']), str(o['platform']), fallback);
    }),
  );
}

/** Chooses the parser by file name: `.json` is JSON, anything else (.txt, .csv, .deviceids) is text. */
export function parseDeviceFile(fileName: string, text: string, fallback: DevicePlatform): DeviceList {
  return fileName.toLowerCase().endsWith('.json') ? parseDeviceJson(text, fallback) : parseDeviceText(text, fallback, 'devices-file');
}
