/**
 * Provisioning profiles on disk (facts.md §4): the plist read out of Apple's CMS SignedData wrapper,
 * and atomic installation as `<UUID>.mobileprovision` (`.provisionprofile` for macOS) where Xcode looks.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse, type PlistValue } from 'plist';
import { isDictionary } from '../entitlements/read.js';

export interface ProfileFileInfo {
  uuid: string;
  name: string;
  /** The plist's Platform array, e.g. ['iOS'] or ['OSX']. */
  platforms: string[];
  teamId: string | undefined;
  expirationDate: Date | undefined;
  /** The plist's ProvisionedDevices (UDIDs); undefined when it has none (store, in-house, Developer ID). */
  provisionedDevices: string[] | undefined;
  /** The plist's ApplicationIdentifierPrefix (the App ID prefix, usually the team ID). */
  appIdPrefix: string | undefined;
  /** The entitlements the profile grants (its Entitlements dictionary; {} when it has none). */
  entitlements: Record<string, PlistValue>;
  /** `.provisionprofile` when Platform contains OSX, else `.mobileprovision`. */
  extension: '.mobileprovision' | '.provisionprofile';
}

interface Tlv {
  tag: number;
  constructed: boolean;
  /** The contents: [start, end). */
  start: number;
  end: number;
  /** Where the next element begins (after the end-of-contents octets of an indefinite length). */
  next: number;
}

/**
 * One DER or BER element at `at`. Older Apple profiles are BER with indefinite lengths (`30 80 …
 * 00 00`); their end is found by reading the elements inside up to the end-of-contents octets.
 */
function readTlv(buf: Buffer, at: number): Tlv {
  const tag = buf[at];
  let len = buf[at + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated');
  let start = at + 2;
  const constructed = (tag & 0x20) !== 0;
  if (len === 0x80) {
    if (!constructed) throw new Error('indefinite length on a primitive element');
    let p = start;
    while (buf[p] !== 0 || buf[p + 1] !== 0) {
      if (p >= buf.length) throw new Error('truncated');
      p = readTlv(buf, p).next;
    }
    return { tag, constructed, start, end: p, next: p + 2 };
  }
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new Error('unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? 0);
    start += n;
  }
  if (start + len > buf.length) throw new Error('truncated');
  return { tag, constructed, start, end: start + len, next: start + len };
}

function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.start; at < t.end;) {
    const c = readTlv(buf, at);
    out.push(c);
    at = c.next;
  }
  return out;
}

function octets(buf: Buffer, t: Tlv): Buffer {
  if (!t.constructed) return buf.subarray(t.start, t.end);
  return Buffer.concat(children(buf, t).map((c) => octets(buf, c)));
}

/**
 * The plist inside a profile: ContentInfo { signedData OID, [0] SignedData { version, digestAlgorithms,
 * encapContentInfo { data OID, [0] OCTET STRING <plist> }, ... } } (RFC 5652).
 */
export function profilePlist(der: Buffer): string {
  try {
    const root = readTlv(der, 0);
    const signedData = children(der, children(der, root)[1] as Tlv)[0] as Tlv;
    const encap = children(der, signedData)[2] as Tlv;
    const explicit = children(der, encap)[1] as Tlv;
    return octets(der, children(der, explicit)[0] as Tlv).toString('utf8');
  } catch {
    throw new Error('The profile Apple returned is not a CMS SignedData wrapping a plist.');
  }
}

export function readProfileInfo(der: Buffer): ProfileFileInfo {
  const parsed = parse(profilePlist(der));
  if (!isDictionary(parsed)) throw new Error('The profile Apple returned holds no plist dictionary.');
  const dict = parsed;
  const uuid = dict['UUID'];
  if (typeof uuid !== 'string' || !/^[0-9A-Fa-f-]{36}$/.test(uuid)) throw new Error('The profile Apple returned has no UUID.');
  const platforms = Array.isArray(dict['Platform']) ? dict['Platform'].filter((p: PlistValue): p is string => typeof p === 'string') : [];
  const team = Array.isArray(dict['TeamIdentifier']) ? dict['TeamIdentifier'][0] : undefined;
  const expires = dict['ExpirationDate'];
  const devices = dict['ProvisionedDevices'];
  const prefix = Array.isArray(dict['ApplicationIdentifierPrefix']) ? dict['ApplicationIdentifierPrefix'][0] : undefined;
  const entitlements = dict['Entitlements'];
  return {
    uuid,
    name: typeof dict['Name'] === 'string' ? dict['Name'] : '',
    platforms,
    teamId: typeof team === 'string' ? team : undefined,
    expirationDate: expires instanceof Date ? expires : undefined,
    provisionedDevices: Array.isArray(devices) ? devices.filter((d: PlistValue): d is string => typeof d === 'string') : undefined,
    appIdPrefix: typeof prefix === 'string' ? prefix : undefined,
    entitlements: isDictionary(entitlements) ? entitlements : {},
    extension: platforms.includes('OSX') ? '.provisionprofile' : '.mobileprovision',
  };
}

/** Where Xcode ≤ 15 and Xcode 16+ look, or only `profilesDir` when given. */
export function installDirs(profilesDir?: string, home: string = homedir()): string[] {
  if (profilesDir) return [path.resolve(profilesDir)];
  return [
    path.join(home, 'Library', 'MobileDevice', 'Provisioning Profiles'),
    path.join(home, 'Library', 'Developer', 'Xcode', 'UserData', 'Provisioning Profiles'),
  ];
}

/** Writes the file beside its final name and renames it there, so a reader never sees half a profile. */
async function writeAtomic(file: string, bytes: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, bytes, { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Installs the profile in every directory; returns the paths written, first the primary one. */
export async function installProfile(der: Buffer, info: ProfileFileInfo, dirs: readonly string[]): Promise<string[]> {
  const paths = dirs.map((d) => path.join(d, `${info.uuid}${info.extension}`));
  for (const p of paths) await writeAtomic(p, der);
  return paths;
}

/** Removes an installed profile by UUID (either extension) from every directory; returns what was removed. */
export async function removeInstalledProfile(uuid: string, dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) {
      if (n.toLowerCase() === `${uuid}.mobileprovision`.toLowerCase() || n.toLowerCase() === `${uuid}.provisionprofile`.toLowerCase()) {
        await rm(path.join(dir, n), { force: true });
        removed.push(path.join(dir, n));
      }
    }
  }
  return removed;
}
