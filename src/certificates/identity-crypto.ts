/**
 * Sealing a signing identity with a passphrase: scrypt (memory-hard; N = 2^17, r = 8: 128 MiB and a few
 * hundred milliseconds per guess) derives an AES-256-GCM key; the header (format, KDF parameters, salt,
 * IV) is authenticated with the data, so nothing in the file can be changed unnoticed.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';

export interface SealedHeader {
  format: 'apple-signing-identity';
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
}

interface SealedFile extends SealedHeader {
  tag: string;
  data: string;
}

export const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

/** The passphrase does not open the sealed data (or the data was changed). */
export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError';
}

/** The file is not a sealed identity this version can read. */
export class SealedFormatError extends Error {
  override readonly name = 'SealedFormatError';
}

function deriveKey(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Promise<Buffer> {
  const opts: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r * kdf.p + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(passphrase.normalize('NFC'), salt, 32, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

function aad(header: SealedHeader): Buffer {
  return Buffer.from(JSON.stringify([header.format, header.version, header.kdf, header.cipher, header.iv]));
}

export async function seal(plaintext: Buffer, passphrase: string, kdf: { N: number; r: number; p: number } = DEFAULT_KDF): Promise<Buffer> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: SealedHeader = {
    format: 'apple-signing-identity',
    version: 1,
    kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
  };
  const key = await deriveKey(passphrase, salt, kdf);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(header));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const file: SealedFile = { ...header, tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return Buffer.from(`${JSON.stringify(file)}\n`);
}

function parseSealed(bytes: Buffer): SealedFile {
  let f: Partial<SealedFile>;
  try {
    f = JSON.parse(bytes.toString('utf8')) as Partial<SealedFile>;
  } catch {
    throw new SealedFormatError('the saved identity is not in a format this version reads');
  }
  const k = f.kdf;
  if (f.format !== 'apple-signing-identity' || f.version !== 1 || f.cipher !== 'aes-256-gcm' || !k || k.name !== 'scrypt' || !f.iv || !f.tag || !f.data) {
    throw new SealedFormatError('the saved identity is not in a format this version reads');
  }
  // Refuse parameters that would make a hostile file exhaust memory or time.
  if (!(k.N >= 2 ** 14 && k.N <= 2 ** 20 && k.r >= 1 && k.r <= 16 && k.p >= 1 && k.p <= 4)) {
    throw new SealedFormatError('the saved identity has key-derivation parameters outside the accepted range');
  }
  return f as SealedFile;
}

export async function unseal(bytes: Buffer, passphrase: string): Promise<Buffer> {
  const f = parseSealed(bytes);
  const key = await deriveKey(passphrase, Buffer.from(f.kdf.salt, 'base64'), f.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv, 'base64'));
  decipher.setAAD(aad(f));
  decipher.setAuthTag(Buffer.from(f.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(f.data, 'base64')), decipher.final()]);
  } catch {
    throw new WrongPassphraseError('the passphrase does not open the saved identity');
  }
}
