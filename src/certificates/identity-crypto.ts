/**
 * Sealing a signing identity with a passphrase: scrypt (memory-hard; N = 2^17, r = 8: 128 MiB and a few
 * hundred milliseconds per guess) derives an AES-256-GCM key; the header (format, KDF parameters, salt,
 * IV) is authenticated with the data, so nothing in the file can be changed unnoticed.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';

interface SealedHeader {
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

const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT_BYTES = 16;
/** The most memory a sealed file may ask scrypt for (128 * N * r bytes); the default takes 128 MiB. */
const MAX_KDF_MEMORY = 256 * 1024 * 1024;

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
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
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

/**
 * A name only the passphrase can give: an HMAC of `label` under a key scrypt derives from the
 * passphrase and `salt`, so a guess at it costs as much as a guess at a sealed file.
 */
export async function passphraseTag(passphrase: string, salt: string, label: string): Promise<string> {
  const key = await deriveKey(passphrase, Buffer.from(salt, 'utf8'), DEFAULT_KDF);
  return createHmac('sha256', key).update(label).digest('hex').slice(0, 32);
}

/** Strict base64 of exactly `bytes` bytes (any length when undefined, but not empty), or undefined. */
function base64Field(value: unknown, bytes?: number): Buffer | undefined {
  if (typeof value !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return undefined;
  const b = Buffer.from(value, 'base64');
  return (bytes === undefined ? b.length > 0 : b.length === bytes) ? b : undefined;
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

interface ParsedSealed {
  header: SealedHeader;
  salt: Buffer;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

/** Every field checked before any work is done; each problem is one clause for the caller's sentence. */
function parseSealed(bytes: Buffer): ParsedSealed {
  let f: Partial<SealedFile> | null;
  try {
    f = JSON.parse(bytes.toString('utf8')) as Partial<SealedFile> | null;
  } catch {
    throw new SealedFormatError('the saved identity is not JSON');
  }
  if (typeof f !== 'object' || f === null || f.format !== 'apple-signing-identity' || f.version !== 1 || f.cipher !== 'aes-256-gcm') {
    throw new SealedFormatError('the saved identity is not in a format this version reads');
  }
  const k = f.kdf;
  if (typeof k !== 'object' || k === null || k.name !== 'scrypt') throw new SealedFormatError('the saved identity names no scrypt key derivation');
  // Refuse parameters that would make a hostile file exhaust memory or time: N a power of two, all bounded.
  const powerOfTwo = isInt(k.N, 2 ** 14, 2 ** 20) && (k.N & (k.N - 1)) === 0;
  if (!powerOfTwo || !isInt(k.r, 1, 16) || !isInt(k.p, 1, 4) || 128 * k.N * k.r > MAX_KDF_MEMORY) {
    throw new SealedFormatError('the saved identity has key-derivation parameters outside the accepted range');
  }
  const salt = base64Field(k.salt, SALT_BYTES);
  if (!salt) throw new SealedFormatError(`the saved identity's salt is not ${SALT_BYTES} bytes of base64`);
  const iv = base64Field(f.iv, IV_BYTES);
  if (!iv) throw new SealedFormatError(`the saved identity's IV is not ${IV_BYTES} bytes of base64`);
  const tag = base64Field(f.tag, TAG_BYTES);
  if (!tag) throw new SealedFormatError(`the saved identity's authentication tag is not ${TAG_BYTES} bytes of base64`);
  const data = base64Field(f.data);
  if (!data) throw new SealedFormatError("the saved identity's data is not base64");
  const header: SealedHeader = {
    format: f.format,
    version: f.version,
    kdf: { name: 'scrypt', N: k.N, r: k.r, p: k.p, salt: k.salt },
    cipher: f.cipher,
    iv: f.iv as string,
  };
  return { header, salt, iv, tag, data };
}

export async function unseal(bytes: Buffer, passphrase: string): Promise<Buffer> {
  const { header, salt, iv, tag, data } = parseSealed(bytes);
  const key = await deriveKey(passphrase, salt, header.kdf);
  // authTagLength pins the tag to 16 bytes: GCM would otherwise accept a truncated tag.
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(header));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new WrongPassphraseError('the passphrase does not open the saved identity');
  }
}
