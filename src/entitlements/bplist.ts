/**
 * A small, bounded reader of Apple's binary property lists (`bplist00`), enough for `.entitlements`
 * files: booleans, integers, reals, dates, data, ASCII and UTF-16 strings, arrays, sets and
 * dictionaries. Every offset is checked against the buffer, references may not loop, nesting is at
 * most {@link MAX_DEPTH} deep, and the values produced (a shared object counts each time it is used)
 * are capped at {@link MAX_VALUES}, so no input makes the work unbounded. Any defect is a
 * {@link BplistError} with a short reason.
 * Format: CoreFoundation's CFBinaryPList.c (opensource.apple.com), trailer of 32 bytes at the end.
 */
import type { PlistValue } from '../core/plist.js';

export class BplistError extends Error {
  override readonly name = 'BplistError';
}

export const MAX_DEPTH = 64;
const MAX_VALUES = 100_000;
/** Seconds from 1970-01-01 to 2001-01-01, the epoch of binary plist dates. */
const APPLE_EPOCH_S = 978_307_200;

export function isBinaryPlist(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).toString('latin1') === 'bplist00';
}

function uint(buf: Buffer, at: number, size: number): number {
  if (size < 1 || size > 8 || at < 0 || at + size > buf.length) throw new BplistError('an offset points outside the file');
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (buf[at + i] as number);
  if (!Number.isSafeInteger(v)) throw new BplistError('an offset is too large');
  return v;
}

export function parseBinaryPlist(bytes: Uint8Array): PlistValue {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isBinaryPlist(buf)) throw new BplistError('it does not start with bplist00');
  if (buf.length < 8 + 32) throw new BplistError('it is shorter than its trailer');
  const t = buf.length - 32;
  const offsetSize = buf[t + 6] as number;
  const refSize = buf[t + 7] as number;
  const count = uint(buf, t + 8, 8);
  const top = uint(buf, t + 16, 8);
  const tableAt = uint(buf, t + 24, 8);
  if (offsetSize < 1 || offsetSize > 8 || refSize < 1 || refSize > 8) throw new BplistError('its trailer has invalid sizes');
  if (count === 0 || top >= count || tableAt < 8 || tableAt + count * offsetSize > t) throw new BplistError('its trailer does not fit the file');

  let produced = 0;
  const active = new Set<number>();

  const offsetOf = (ref: number): number => {
    if (ref >= count) throw new BplistError('a reference points to no object');
    const at = uint(buf, tableAt + ref * offsetSize, offsetSize);
    if (at < 8 || at >= tableAt) throw new BplistError('an object offset points outside the object area');
    return at;
  };

  /** The length after a marker: the low nibble, or (0xF) an integer object that follows. */
  const lengthAt = (at: number): { length: number; start: number } => {
    const low = (buf[at] as number) & 0x0f;
    if (low !== 0x0f) return { length: low, start: at + 1 };
    const marker = buf[at + 1];
    if (marker === undefined || marker >> 4 !== 0x1) throw new BplistError('a length is not an integer');
    const size = 1 << (marker & 0x0f);
    return { length: uint(buf, at + 2, size), start: at + 2 + size };
  };

  const bytesAt = (start: number, length: number): Buffer => {
    if (start + length > tableAt) throw new BplistError('a value runs past the object area');
    return buf.subarray(start, start + length);
  };

  const read = (ref: number, depth: number): PlistValue => {
    if (++produced > MAX_VALUES) throw new BplistError(`it holds more than ${MAX_VALUES} values`);
    if (depth > MAX_DEPTH) throw new BplistError(`it nests deeper than ${MAX_DEPTH} levels`);
    if (active.has(ref)) throw new BplistError('an object contains itself');
    const at = offsetOf(ref);
    const marker = buf[at] as number;
    const kind = marker >> 4;
    const low = marker & 0x0f;
    switch (kind) {
      case 0x0:
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        throw new BplistError(`it holds an unsupported value (marker 0x${marker.toString(16).padStart(2, '0')})`);
      case 0x1: {
        const size = 1 << low;
        if (size > 8) throw new BplistError('it holds an integer wider than 64 bits');
        const raw = bytesAt(at + 1, size);
        if (size === 8) {
          const v = raw.readBigInt64BE(0);
          if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new BplistError('it holds an integer too large');
          return Number(v);
        }
        return uint(raw, 0, size);
      }
      case 0x2: {
        if (low === 2) return bytesAt(at + 1, 4).readFloatBE(0);
        if (low === 3) return bytesAt(at + 1, 8).readDoubleBE(0);
        throw new BplistError('it holds a real of an unsupported size');
      }
      case 0x3: {
        if (marker !== 0x33) throw new BplistError('it holds a malformed date');
        const date = new Date((bytesAt(at + 1, 8).readDoubleBE(0) + APPLE_EPOCH_S) * 1000);
        if (Number.isNaN(date.getTime())) throw new BplistError('it holds an invalid date');
        return date;
      }
      case 0x4: {
        const { length, start } = lengthAt(at);
        return new Uint8Array(bytesAt(start, length));
      }
      case 0x5: {
        const { length, start } = lengthAt(at);
        return bytesAt(start, length).toString('latin1');
      }
      case 0x6: {
        const { length, start } = lengthAt(at);
        const raw = Buffer.from(bytesAt(start, length * 2));
        return raw.swap16().toString('utf16le');
      }
      case 0xa:
      case 0xc:
      case 0xd: {
        const { length, start } = lengthAt(at);
        const refs = (n: number, from: number): number[] => {
          bytesAt(from, n * refSize);
          return Array.from({ length: n }, (_, i) => uint(buf, from + i * refSize, refSize));
        };
        active.add(ref);
        try {
          if (kind !== 0xd) return refs(length, start).map((r) => read(r, depth + 1));
          const keys = refs(length, start);
          const values = refs(length, start + length * refSize);
          const dict: Record<string, PlistValue> = Object.create(null) as Record<string, PlistValue>;
          keys.forEach((k, i) => {
            const key = read(k, depth + 1);
            if (typeof key !== 'string') throw new BplistError('a dictionary key is not a string');
            dict[key] = read(values[i] as number, depth + 1);
          });
          return dict;
        } finally {
          active.delete(ref);
        }
      }
      default:
        throw new BplistError(`it holds an unsupported value (marker 0x${marker.toString(16).padStart(2, '0')})`);
    }
  };
  return read(top, 0);
}
