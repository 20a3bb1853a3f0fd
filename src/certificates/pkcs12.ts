/**
 * PKCS#12 in and out, with node-forge. Written the way every macOS keychain imports it (key bag
 * pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC: OpenSSL 3's default AES/SHA-256 p12 is refused by
 * `security import` on many macOS versions); read in any of the forms users have: 3DES, RC2-40,
 * PBES2/AES, with or without a password.
 */
import { createPrivateKey } from 'node:crypto';
import forge from 'node-forge';

export interface Pkcs12Contents {
  /** PKCS#8 PEM of every private key inside. Secrets. */
  privateKeysPem: string[];
  /** DER of every certificate inside. */
  certificatesDer: Buffer[];
}

export type Pkcs12Problem = 'not-pkcs12' | 'password' | 'unreadable';

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
  constructor(
    readonly problem: Pkcs12Problem,
    message: string,
  ) {
    super(message);
  }
}

function toBinary(bytes: Buffer): string {
  return bytes.toString('binary');
}

function keyPemFromBag(bag: forge.pkcs12.Bag): string | undefined {
  let info: forge.asn1.Asn1 | undefined;
  if (bag.key) info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key));
  else if (bag.asn1) info = bag.asn1; // a key type forge does not model (EC): the PrivateKeyInfo as is
  if (!info) return undefined;
  const der = Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function certDerFromBag(bag: forge.pkcs12.Bag): Buffer | undefined {
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  return asn1 ? Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary') : undefined;
}

function open(asn1: forge.asn1.Asn1, password: string | null): forge.pkcs12.Pkcs12Pfx {
  return forge.pkcs12.pkcs12FromAsn1(asn1, false, password as string);
}

/**
 * Opens a PKCS#12. An empty or missing password tries both encodings of "no password" (an empty
 * BMPString and no bytes at all), as OpenSSL does.
 */
export function readPkcs12(bytes: Buffer, password: string | undefined): Pkcs12Contents {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(toBinary(bytes), false);
  } catch {
    throw new Pkcs12Error('not-pkcs12', 'is not a PKCS#12 file (expected base64 of a .p12 exported from Keychain Access or openssl pkcs12 -export)');
  }
  const attempts: (string | null)[] = password ? [password] : ['', null];
  let pfx: forge.pkcs12.Pkcs12Pfx | undefined;
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      pfx = open(asn1, attempt);
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (!pfx) {
    const msg = lastError instanceof Error ? lastError.message : String(lastError);
    if (/password|MAC could not be verified|decrypt/i.test(msg)) {
      throw new Pkcs12Error('password', password ? 'cannot be opened with the given password' : 'needs a password, and none was given');
    }
    if (/Unknown|unsupported|not supported/i.test(msg)) {
      throw new Pkcs12Error(
        'unreadable',
        `uses an encryption this action cannot read (${msg}); export it again with 3DES (openssl pkcs12 -export -legacy, or Keychain Access)`,
      );
    }
    throw new Pkcs12Error('not-pkcs12', `is not a readable PKCS#12 file (${msg})`);
  }
  const privateKeysPem: string[] = [];
  const certificatesDer: Buffer[] = [];
  for (const safe of pfx.safeContents) {
    for (const bag of safe.safeBags) {
      if (bag.type === forge.pki.oids.certBag) {
        const der = certDerFromBag(bag);
        if (der) certificatesDer.push(der);
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        const pem = keyPemFromBag(bag);
        if (pem) privateKeysPem.push(pem);
      }
    }
  }
  return { privateKeysPem, certificatesDer };
}

export interface Pkcs12Input {
  /** RSA private key, PEM (PKCS#1 or PKCS#8). */
  privateKeyPem: string;
  certificateDer: Buffer;
  password: string;
  /** The name Keychain Access shows for the identity. */
  friendlyName: string;
}

/** A PKCS#12 that `security import -f pkcs12` accepts on every macOS: 3DES key bag, SHA-1 MAC, 2048 iterations. */
export function writePkcs12(input: Pkcs12Input): Buffer {
  const key = forge.pki.privateKeyFromPem(createPrivateKey(input.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(toBinary(input.certificateDer)));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], input.password, {
    algorithm: '3des',
    friendlyName: input.friendlyName,
    generateLocalKeyId: true,
    count: 2048,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
