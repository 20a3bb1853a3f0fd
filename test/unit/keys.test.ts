import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { API_KEY } from '../../src/apple/api.js';
import { parseEcPrivateKey } from '../../src/core/keys.js';

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
