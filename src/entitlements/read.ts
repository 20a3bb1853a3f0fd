/**
 * Reads an app's `.entitlements` file: an XML property list (what Xcode writes) or a binary one, whose
 * top level is a dictionary. Bounded: a file over {@link MAX_ENTITLEMENTS_BYTES} is refused before it is
 * read; anything malformed is one InputError sentence naming the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { parsePlist, PlistError, type PlistValue } from '../core/plist.js';
import { InputError } from '../core/errors.js';
import { BplistError, isBinaryPlist, parseBinaryPlist } from './bplist.js';

export type Entitlements = Record<string, PlistValue>;

export const MAX_ENTITLEMENTS_BYTES = 1024 * 1024;

function tooLarge(file: string, input: string): InputError {
  return new InputError(input, `Input ${input} names '${file}', which is over 1 MiB; an entitlements file is a few kilobytes, so check the path.`);
}

export function isDictionary(v: PlistValue | undefined): v is Entitlements {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/** The entitlements in `bytes`, read from `file` (named in errors) for the input `input`. */
export function parseEntitlements(bytes: Uint8Array, file: string, input = 'entitlements'): Entitlements {
  const bad = (why: string) =>
    new InputError(
      input,
      `Input ${input} names '${file}', which is not a readable entitlements property list (${why}); give the .entitlements file Xcode uses for the target.`,
    );
  if (bytes.length > MAX_ENTITLEMENTS_BYTES) {
    throw tooLarge(file, input);
  }
  let value: PlistValue | undefined;
  if (isBinaryPlist(bytes)) {
    try {
      value = parseBinaryPlist(bytes);
    } catch (err) {
      if (err instanceof BplistError) throw bad(err.message);
      throw bad('the binary property list cannot be read');
    }
  } else {
    const text = Buffer.from(bytes).toString('utf8');
    if (!/<plist[\s>]/.test(text)) throw bad('it is neither an XML nor a binary property list');
    try {
      value = parsePlist(text);
    } catch (err) {
      // Not err.message: it quotes the file, whose text never reaches the log.
      if (err instanceof PlistError) throw bad('the XML is malformed');
      throw err;
    }
  }
  if (!isDictionary(value)) throw bad('its top level is not a dictionary');
  return value;
}

/** Reads and parses an entitlements file; a missing or oversized file is one sentence too. */
export async function readEntitlementsFile(file: string, input = 'entitlements'): Promise<Entitlements> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch {
    throw new InputError(
      input,
      `Input ${input} names '${file}', but no readable file is there; give a path relative to the workspace (check out the repository first).`,
    );
  }
  if (size > MAX_ENTITLEMENTS_BYTES) {
    throw tooLarge(file, input);
  }
  return parseEntitlements(await readFile(file), file, input);
}
