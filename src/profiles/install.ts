/**
 * Provisioning profiles on disk (docs/apple-facts.md §4): the plist read out of Apple's CMS SignedData wrapper,
 * and atomic installation as `<UUID>.mobileprovision` (`.provisionprofile` for macOS) where Xcode looks.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { MAX_PLIST_DEPTH, parsePlist, PlistError, type PlistValue } from '../core/plist.js';
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

/** Largest profile read; real ones are tens of kilobytes, even with a hundred devices. */
const MAX_PROFILE_BYTES = 1024 * 1024;
/** Deepest BER nesting read; a CMS SignedData with its certificates nests about 12 levels. */
const MAX_BER_DEPTH = 64;

/** A profile's content could not be read. The message is one sentence naming the profile. */
export class ProfileContentError extends Error {
  override readonly name = 'ProfileContentError';
  constructor(
    /** The profile, as named in the message (e.g. `profile 'App Dev' (9X8Y7Z)`). */
    readonly profile: string,
    message: string,
  ) {
    super(message);
  }
}

/** What is wrong with the bytes, for the sentence; internal to this module. */
class BerError extends Error {}

interface BerNode {
  tag: number;
  constructed: boolean;
  /** The contents: [start, end). */
  start: number;
  end: number;
  children: BerNode[];
}

interface OpenElement {
  node: BerNode;
  indefinite: boolean;
  /** Where the contents must end at the latest (the nearest definite length around them). */
  limit: number;
}

/**
 * The first DER or BER element in `buf` with everything inside it, read in one pass without recursion.
 * Older Apple profiles are BER with indefinite lengths (`30 80 … 00 00`); such an element ends at its
 * end-of-contents octets.
 */
function readBer(buf: Buffer): BerNode {
  const root: BerNode = { tag: -1, constructed: true, start: 0, end: buf.length, children: [] };
  const open: OpenElement[] = [{ node: root, indefinite: false, limit: buf.length }];
  let at = 0;
  for (;;) {
    const top = open[open.length - 1] as OpenElement;
    if (open.length === 1 && root.children.length === 1) return root.children[0] as BerNode;
    if (!top.indefinite && at === top.limit) {
      if (open.length === 1) throw new BerError('no element');
      open.pop();
      continue;
    }
    if (at + 2 > top.limit) throw new BerError('truncated');
    const tag = buf[at] as number;
    let len = buf[at + 1] as number;
    if (top.indefinite && tag === 0 && len === 0) {
      top.node.end = at;
      at += 2;
      open.pop();
      continue;
    }
    if ((tag & 0x1f) === 0x1f) throw new BerError('a tag number above 30');
    const constructed = (tag & 0x20) !== 0;
    let start = at + 2;
    const node: BerNode = { tag, constructed, start, end: -1, children: [] };
    if (len === 0x80) {
      if (!constructed) throw new BerError('an indefinite length on a primitive element');
      if (open.length > MAX_BER_DEPTH) throw new BerError(`elements nested deeper than ${MAX_BER_DEPTH} levels`);
      top.node.children.push(node);
      open.push({ node, indefinite: true, limit: top.limit });
      at = start;
      continue;
    }
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4) throw new BerError('an unsupported length');
      if (start + n > top.limit) throw new BerError('truncated');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
      start += n;
    }
    if (start + len > top.limit) throw new BerError('truncated');
    node.start = start;
    node.end = start + len;
    top.node.children.push(node);
    if (constructed) {
      if (open.length > MAX_BER_DEPTH) throw new BerError(`elements nested deeper than ${MAX_BER_DEPTH} levels`);
      open.push({ node, indefinite: false, limit: node.end });
      at = start;
    } else at = node.end;
  }
}

function child(node: BerNode, index: number): BerNode {
  const c = node.children[index];
  if (!c) throw new BerError('an element missing');
  return c;
}

/** The bytes of an OCTET STRING, joining the pieces of a constructed (BER) one in order. */
function octets(buf: Buffer, node: BerNode): Buffer {
  const pieces: Buffer[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop() as BerNode;
    if (!n.constructed) pieces.push(buf.subarray(n.start, n.end));
    else for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as BerNode);
  }
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
}

/** Capitalises a profile's label for the start of a sentence. */
const Label = (profile: string): string => profile.charAt(0).toUpperCase() + profile.slice(1);

/**
 * The plist inside a profile: ContentInfo { signedData OID, [0] SignedData { version, digestAlgorithms,
 * encapContentInfo { data OID, [0] OCTET STRING <plist> }, ... } } (RFC 5652). `profile` names it in errors.
 */
export function profilePlist(der: Buffer, profile = 'the profile Apple returned'): string {
  if (der.length > MAX_PROFILE_BYTES) {
    throw new ProfileContentError(
      profile,
      `${Label(profile)} is ${der.length} bytes, more than the ${MAX_PROFILE_BYTES} a provisioning profile may have, so it was not read.`,
    );
  }
  try {
    const signedData = child(child(readBer(der), 1), 0);
    const explicit = child(child(signedData, 2), 1);
    return octets(der, child(explicit, 0)).toString('utf8');
  } catch (err) {
    if (!(err instanceof BerError)) throw err;
    throw new ProfileContentError(profile, `${Label(profile)} is not a CMS SignedData wrapping a plist (${err.message}); download or regenerate it.`);
  }
}

/** The profile's plist as a dictionary; anything else is a ProfileContentError naming `profile`. */
export function profileDict(der: Buffer, profile = 'the profile Apple returned'): Record<string, PlistValue> {
  const xml = profilePlist(der, profile);
  const bad = (what: string): ProfileContentError =>
    new ProfileContentError(profile, `${Label(profile)} holds ${what}, not a readable XML property list; download or regenerate it.`);
  if (!/^\s*<(\?xml|!DOCTYPE|plist)/.test(xml.replace(/^\uFEFF/, ''))) throw bad('other data');
  let parsed: PlistValue;
  try {
    parsed = parsePlist(xml);
  } catch (err) {
    if (!(err instanceof PlistError)) throw err;
    throw bad(err.message.includes('deeper than') ? `a plist nested deeper than ${MAX_PLIST_DEPTH} levels` : 'a plist that is not well-formed');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof Date || parsed instanceof Uint8Array) {
    throw bad('no dictionary');
  }
  return parsed;
}

/** Reads a profile's plist; `profile` names it in errors (e.g. `profile 'App Dev' (9X8Y7Z)`). */
export function readProfileInfo(der: Buffer, profile = 'the profile Apple returned'): ProfileFileInfo {
  const dict = profileDict(der, profile);
  const uuid = dict['UUID'];
  if (typeof uuid !== 'string' || !/^[0-9A-Fa-f-]{36}$/.test(uuid)) {
    throw new ProfileContentError(profile, `${Label(profile)} has no UUID in its plist; download or regenerate it.`);
  }
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
