import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { API_KEY } from '../../src/apple/api.js';
import { readAppleApiInputs } from '../../src/actions/support/apple-inputs.js';
import { readBusinessApiInputs } from '../../src/actions/support/business-inputs.js';
import type { InputSource } from '../../src/actions/support/inputs.js';
import { parseSigningKey } from '../../src/certificates/signing-key.js';
import { normalisePem, parseEcPrivateKey } from '../../src/core/keys.js';
import { thrown } from '../support/thrown.js';

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

function refusal(input: string): string {
  try {
    parseEcPrivateKey(input, API_KEY);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected the key to be refused');
}

describe('private-key input', () => {
  it('accepts the .p8 PEM as is', () => {
    expect(parseEcPrivateKey(p256, API_KEY).key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });
  it('accepts base64 of the PEM', () => {
    expect(parseEcPrivateKey(Buffer.from(p256).toString('base64'), API_KEY).pem).toBe(parseEcPrivateKey(p256, API_KEY).pem);
  });
  it('accepts PEM with literal \\n escapes, CRLF and indentation', () => {
    expect(parseEcPrivateKey(p256.trim().replace(/\n/g, '\\n'), API_KEY).pem).toBe(parseEcPrivateKey(p256, API_KEY).pem);
    expect(parseEcPrivateKey(`  ${p256.replace(/\n/g, '\r\n   ')}`, API_KEY).pem).toBe(parseEcPrivateKey(p256, API_KEY).pem);
  });
  it('refuses garbage with one sentence that does not echo it', () => {
    const msg = refusal('not-a-key-SECRETISH-VALUE');
    expect(msg).toMatch(/^private-key is not a PEM private key; pass the whole \.p8 file/);
    expect(msg).not.toContain('SECRETISH');
  });
  it('refuses an RSA key, naming what Apple keys are', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(refusal(rsa)).toMatch(/is an RSA key, but Apple API keys are P-256 \(EC\) keys/);
  });
  it('refuses an EC key on another curve', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(refusal(p384)).toMatch(/curve secp384r1, but Apple API keys use P-256/);
  });
  it('refuses a truncated PEM', () => {
    expect(refusal(p256.replace(/\n[A-Za-z0-9+/]{20,}\n/, '\nAAAA\n'))).toMatch(/cannot be read as a private key/);
  });
});

describe('private-key input: bounds', () => {
  it('refuses a key input over 64 KB with one sentence, at once (a 1.8 MB one of BEGIN lines took 61 s)', () => {
    const huge = '-----BEGIN A-----\n'.repeat(60_000);
    const start = performance.now();
    expect(refusal(huge)).toBe(`private-key is ${huge.length} characters long, more than the 65536 a private key may have; pass only the key file's contents.`);
    expect(performance.now() - start).toBeLessThan(500);
    expect(() => parseSigningKey(huge)).toThrow(InputError);
  });
  it('finds the PEM block in linear time when BEGIN lines have no END', () => {
    const start = performance.now();
    expect(refusal('-----BEGIN A-----\n'.repeat(3_600))).toMatch(/^private-key is not a PEM private key/);
    expect(normalisePem(`${'-----BEGIN A-----\n'.repeat(3_000)}`)).toBeUndefined();
    expect(performance.now() - start).toBeLessThan(500);
    expect(normalisePem(`junk\n${p256}`)).toBe(parseEcPrivateKey(p256, API_KEY).pem);
  });
});

describe('values that look like keys, given in other inputs', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const body = (pem: string): string => (pem.split('\n')[1] as string).slice(0, 16);
  const source = (values: Record<string, string>): InputSource & { masked: string[] } => {
    const masked: string[] = [];
    return { get: (n) => values[n] ?? '', mask: (s) => void masked.push(s), masked };
  };
  const apple = { 'key-id': '2X9R4HXF34', 'issuer-id': '69a6de70-03db-47e3-e053-5b8c7c11a4d1', 'private-key': p256 };
  const business = { 'client-id': 'BUSINESSAPI.c75c0a8a-1111-2222-3333-444455556666', 'key-id': '7e1e6a84-aaaa-bbbb-cccc-ddddeeeeffff', 'private-key': p256 };
  const refused = (f: () => unknown): string => thrown(InputError, f).message;

  it.each([
    ['key-id', 'PEM', () => rsa],
    ['issuer-id', 'base64 of a PEM', () => Buffer.from(rsa).toString('base64')],
    ['api', 'PEM with \\n escapes', () => rsa.replace(/\n/g, '\\n')],
    ['api-base-url', 'PEM', () => rsa],
  ])('never repeats a key pasted into %s (%s), and masks it', (input, _form, value) => {
    const src = source({ ...apple, [input]: value() });
    const msg = refused(() => readAppleApiInputs(src));
    expect(msg).toContain(`Input ${input} is a value that looks like a key or other secret (not shown), but`);
    expect(msg).not.toContain(body(rsa));
    expect(msg).not.toContain(Buffer.from(rsa).toString('base64').slice(0, 24));
    expect(src.masked).toContain(value().trim());
  });

  it.each(['client-id', 'key-id', 'scope', 'token-url'])('never repeats a key pasted into the Apple Business input %s', (input) => {
    const msg = refused(() => readBusinessApiInputs(source({ ...business, [input]: rsa })));
    expect(msg).toContain('(not shown)');
    expect(msg).not.toContain(body(rsa));
  });

  it('still shows an ordinary wrong value, cut to 80 characters', () => {
    expect(refused(() => readAppleApiInputs(source({ ...apple, 'key-id': 'AuthKey_2X9R4HXF34.p8' })))).toMatch(
      /^Input key-id is 'AuthKey_2X9R4HXF34\.p8', but/,
    );
    const long = 'not an API kind, '.repeat(12);
    expect(refused(() => readAppleApiInputs(source({ ...apple, api: long })))).toContain(`is '${long.trim().slice(0, 80)}…', but`);
  });
});
