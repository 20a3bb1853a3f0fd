// Seeded fuzzing of every parser of outside input: device lists (text, CSV, JSON, file bytes), serial
// lists, private keys, PKCS#12 and provisioning profiles (CMS + plist). Each input must either parse
// or throw the module's typed error with a one-line message, never a TypeError, RangeError or stack
// overflow, and within a per-case time bound. Inputs are mutated valid seeds (bit flips, truncation,
// duplication, deletion, nesting, separators) and random bytes. FUZZ_SEED=<n> replays another seed.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../support/prng.js';
import { parseSerials } from '../../src/business/serials.js';
import { Pkcs12Error, readPkcs12 } from '../../src/certificates/pkcs12.js';
import { parseSigningKey } from '../../src/certificates/signing-key.js';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { API_KEY } from '../../src/apple/api.js';
import { parseEcPrivateKey } from '../../src/core/keys.js';
import { decodeListBytes } from '../../src/core/list-input.js';
import { parseDeviceFile, parseDeviceJson, parseDeviceText } from '../../src/devices/list.js';
import { ProfileContentError, readProfileInfo } from '../../src/profiles/install.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed2026) >>> 0;
/** Per case; generous because the machine is shared, yet far below what the old quadratic and cubic paths took. */
const CASE_MS = 400;

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
const randomBytes = (r: Rand, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(r, 256)));

/** One mutation of `b`: bit flips, truncation, duplication, deletion, insertion, interesting bytes, or BER nesting. */
function mutateBytes(r: Rand, b: Buffer): Buffer {
  if (b.length === 0) return randomBytes(r, 1 + int(r, 64));
  const at = int(r, b.length);
  switch (int(r, 8)) {
    case 0: {
      const out = Buffer.from(b);
      for (let k = 1 + int(r, 8); k > 0; k--) {
        const i = int(r, out.length);
        out[i] = (out[i] as number) ^ (1 << int(r, 8));
      }
      return out;
    }
    case 1:
      return b.subarray(0, at);
    case 2: {
      const slice = b.subarray(at, at + 1 + int(r, 256));
      const where = int(r, b.length);
      return Buffer.concat([b.subarray(0, where), slice, slice, b.subarray(where)]);
    }
    case 3:
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 64))]);
    case 4:
      return Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + int(r, 16)), b.subarray(at)]);
    case 5: {
      const out = Buffer.from(b);
      out[at] = pick(r, [0x00, 0x80, 0x81, 0x84, 0x7f, 0xff, 0x24, 0x30]);
      return out;
    }
    case 6: {
      const depth = 1 + int(r, 200);
      return Buffer.concat([Buffer.alloc(depth * 2, Buffer.from('3080', 'hex')), b, Buffer.alloc(depth * 2)]);
    }
    default:
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(2 + int(r, 4), pick(r, [0x00, 0xff, 0x80])), b.subarray(at)]);
  }
}

/** One mutation of text: the byte mutations, or list-shaped ones (separators, quotes, long runs, nesting). */
function mutateText(r: Rand, t: string): string {
  const at = int(r, t.length + 1);
  switch (int(r, 6)) {
    case 0:
      return t.slice(0, at) + pick(r, [',', '\t', '"', '""', '#', ';', '\n', '\r', '  ', '\uFEFF', '\\n']) + t.slice(at);
    case 1:
      return t.slice(0, at) + pick(r, [' ', ',', '"', 'a', '[', '{', '-----BEGIN A-----\n']).repeat(1 + int(r, 3000)) + t.slice(at);
    case 2: {
      const d = 1 + int(r, 100);
      return pick(r, ['[', '{"a":']).repeat(d) + t + pick(r, [']', '}']).repeat(d);
    }
    default:
      return mutateBytes(r, Buffer.from(t, 'utf8')).toString(pick(r, ['utf8', 'latin1'] as const));
  }
}

/** Mutations applied 1-3 times; a tenth of the cases are random bytes instead. */
function caseInput(r: Rand, seeds: readonly Buffer[]): Buffer {
  if (r() < 0.1) return randomBytes(r, int(r, 2048));
  let b = pick(r, seeds);
  for (let k = 1 + int(r, 3); k > 0; k--) b = mutateBytes(r, b);
  return b;
}
function caseText(r: Rand, seeds: readonly string[]): string {
  if (r() < 0.1) return randomBytes(r, int(r, 2048)).toString('latin1');
  let t = pick(r, seeds);
  for (let k = 1 + int(r, 3); k > 0; k--) t = mutateText(r, t);
  return t;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `cases` inputs through `parse`; fails with the seed, case number and input when one throws
 * anything but `allowed`, throws a message on more than one line, or takes longer than CASE_MS.
 */
function fuzz<T extends string | Buffer>(name: string, cases: number, make: (r: Rand) => T, parse: (input: T) => unknown, allowed: ErrorClass[]): void {
  const r = prng(SEED ^ [...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261));
  for (let i = 0; i < cases; i++) {
    const input = make(r);
    const where = (): string => {
      const bytes: Buffer = typeof input === 'string' ? Buffer.from(input, 'utf8') : (input as Buffer);
      return `${name} case ${i} (FUZZ_SEED=${SEED}, ${bytes.length} bytes, base64 of the first 300: ${bytes.subarray(0, 300).toString('base64')})`;
    };
    const start = performance.now();
    try {
      parse(input);
    } catch (err) {
      if (!allowed.some((c) => err instanceof c)) throw new Error(`${where()} threw ${String(err)}`, { cause: err });
      const message = (err as Error).message;
      if (message.trim() === '' || /[\r\n]/.test(message))
        throw new Error(`${where()} threw a message that is not one line: ${JSON.stringify(message)}`, { cause: err });
    }
    const ms = performance.now() - start;
    if (ms > CASE_MS) throw new Error(`${where()} took ${Math.round(ms)} ms, more than ${CASE_MS}`);
  }
}

const UDIDS = ['00008110-000E49383CF8801E', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', '564D4F9E-3B2A-5C1D-9E8F-0A1B2C3D4E5F'];
const DEVICE_TEXT = [
  `Device ID\tDevice Name\tDevice Platform\n${UDIDS[0]}\tAna iPhone\tios\n${UDIDS[1]}\tOld iPad\tios\n${UDIDS[2]}\tBuild Mac\tmac\n`,
  `# team\n${UDIDS[0]}, Ana's iPhone\n${UDIDS[1]}    QA iPad  IOS\n`,
  `Name,Platform,UDID\n"iPad Pro (11-inch), Wi-Fi",ipados,${UDIDS[0]}\n"Say ""hi""",mac,${UDIDS[2]}\n`,
];
const DEVICE_JSON = [JSON.stringify(UDIDS.map((udid, i) => ({ udid, name: `Device ${i}`, platform: i === 2 ? 'macos' : 'IOS' }))), '[]', '[{"udid": 1}]'];
const SERIALS = [
  'C02XK1AAJGH5\nC02XK1ABJGH5, C02XK1ACJGH5\n# lab\n',
  'Model,Serial Number\n"iPad Pro (11-inch), Wi-Fi",F9FXK1Q2AB12\n"iPhone 15, blue",DMPXW0AAQ1GC\n',
  'Order\tModel\tSerial No.\n1\tiPad\tf9fxk1q2ab12 # spare\n',
];
const LIST_ERRORS = [InputError, ConfigError];

let ecPem: string;
let rsaPem: string;
let p12Seeds: Buffer[];
let profileSeeds: Buffer[];

beforeAll(() => {
  ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  rsaPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  // PKCS#12 seeds from forge with an iteration count of 1, so that cases that open stay fast.
  const key = forge.pki.privateKeyFromPem(rsaPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2027-01-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: 'Fuzz' }]);
  cert.setIssuer([{ name: 'commonName', value: 'Fuzz' }]);
  cert.sign(key, forge.md.sha256.create());
  const p12 = (password: string | null, algorithm: '3des' | 'aes256'): Buffer =>
    Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, [cert], password as string, { algorithm, count: 1 })).getBytes(), 'binary');
  p12Seeds = [p12('pw', '3des'), p12('pw', 'aes256'), p12(null, '3des')];
  // Profile seeds: openssl-signed CMS, DER and BER (streamed), around a profile-shaped plist.
  const dir = mkdtempSync(path.join(tmpdir(), 'asa-fuzz-'));
  const plist = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict><key>Name</key><string>Fuzz</string><key>Platform</key><array><string>iOS</string></array><key>ProvisionedDevices</key><array><string>${UDIDS[0]}</string></array><key>ExpirationDate</key><date>2027-01-01T00:00:00Z</date><key>TeamIdentifier</key><array><string>TEAM123456</string></array><key>UUID</key><string>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</string></dict></plist>\n`;
  writeFileSync(path.join(dir, 'p.plist'), plist);
  writeFileSync(path.join(dir, 'key.pem'), rsaPem);
  const o = (args: string[]): Buffer => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  o(['req', '-x509', '-key', 'key.pem', '-out', 'crt.pem', '-subj', '/CN=Fuzz', '-days', '1']);
  const sign = (extra: string[]): Buffer =>
    o(['cms', '-sign', '-nodetach', '-binary', ...extra, '-outform', 'DER', '-in', 'p.plist', '-signer', 'crt.pem', '-inkey', 'key.pem']);
  profileSeeds = [sign([]), sign(['-stream'])];
  expect(readProfileInfo(profileSeeds[1] as Buffer).uuid).toBe('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  expect(readPkcs12(p12Seeds[0] as Buffer, 'pw').privateKeysPem).toHaveLength(1);
});

describe(`fuzzing the parsers of outside input (FUZZ_SEED=${SEED})`, () => {
  it('device lists as text and CSV', () => {
    fuzz(
      'devices text',
      400,
      (r) => caseText(r, DEVICE_TEXT),
      (t) => parseDeviceText(t, 'IOS', 'devices'),
      LIST_ERRORS,
    );
  });
  it('device lists as JSON', () => {
    fuzz(
      'devices JSON',
      300,
      (r) => caseText(r, DEVICE_JSON),
      (t) => parseDeviceJson(t, 'IOS'),
      LIST_ERRORS,
    );
  });
  it('device files as bytes (UTF-8, UTF-16, byte-order marks)', () => {
    const seeds = [...DEVICE_TEXT.map((t) => Buffer.from(t)), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DEVICE_TEXT[0] as string, 'utf16le')])];
    fuzz(
      'devices file',
      200,
      (r) => caseInput(r, seeds),
      (b) => parseDeviceFile('d.csv', decodeListBytes(b, 'devices-file'), 'IOS'),
      LIST_ERRORS,
    );
  });
  it('serial-number lists', () => {
    fuzz(
      'serials',
      400,
      (r) => caseText(r, SERIALS),
      (t) => parseSerials(t, 'serial-numbers'),
      LIST_ERRORS,
    );
  });
  it('API private keys (.p8) and certificate signing keys', () => {
    const seeds = [ecPem, Buffer.from(ecPem).toString('base64'), ecPem.trim().replace(/\n/g, '\\n'), rsaPem];
    fuzz(
      'private-key',
      250,
      (r) => caseText(r, seeds),
      (t) => parseEcPrivateKey(t, API_KEY),
      [InputError],
    );
    fuzz(
      'signing-key',
      100,
      (r) => caseText(r, seeds),
      (t) => parseSigningKey(t),
      [InputError],
    );
  });
  it('PKCS#12 files', () => {
    fuzz(
      'p12',
      200,
      (r) => caseInput(r, p12Seeds),
      (b) => readPkcs12(b, b.length % 2 === 0 ? 'pw' : undefined),
      [Pkcs12Error],
    );
  });
  it('provisioning profiles (CMS, BER and DER, around a plist)', () => {
    fuzz(
      'profile',
      300,
      (r) => caseInput(r, profileSeeds),
      (b) => readProfileInfo(b, "profile 'Fuzz' (F1)"),
      [ProfileContentError],
    );
  });
});
