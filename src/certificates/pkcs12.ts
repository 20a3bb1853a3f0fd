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

/**
 * Highest MAC or key-derivation iteration count read. node-forge derives in JavaScript (about 4 s per
 * million here), so a count of 2^31 would hang the step for hours; Keychain Access and OpenSSL use 2048.
 */
const MAX_ITERATIONS = 1_000_000;

type Asn1 = forge.asn1.Asn1;

const PBES2 = '1.2.840.113549.1.5.13';

function elements(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

function oidOf(node: Asn1 | undefined): string | undefined {
  return node?.type === forge.asn1.Type.OID && typeof node.value === 'string' ? forge.asn1.derToOid(node.value) : undefined;
}

/** An OCTET STRING's bytes (a constructed BER one joined), parsed as DER; undefined when they are not DER. */
function derInside(node: Asn1 | undefined): Asn1 | undefined {
  if (!node) return undefined;
  const bytes =
    typeof node.value === 'string'
      ? node.value
      : elements(node)
          .map((p) => (typeof p.value === 'string' ? p.value : ''))
          .join('');
  try {
    return forge.asn1.fromDer(bytes, false);
  } catch {
    return undefined;
  }
}

/** An INTEGER's unsigned value as forge reads it; Infinity when it has more than 6 significant bytes. */
function integerValue(node: Asn1 | undefined): number | undefined {
  if (node?.type !== forge.asn1.Type.INTEGER || typeof node.value !== 'string') return undefined;
  const bytes = node.value.replace(/^\0+/, '');
  return bytes.length > 6 ? Infinity : bytes.length === 0 ? 0 : parseInt(forge.util.bytesToHex(bytes), 16);
}

/** The iteration count of a password-based AlgorithmIdentifier: PKCS#12 PBE and PBES1 `{salt, count}`, or PBES2's PBKDF2 params. */
function algorithmIterations(alg: Asn1 | undefined): number | undefined {
  const [oid, params] = elements(alg);
  if (oidOf(oid) === PBES2) return integerValue(elements(elements(elements(params)[0])[1])[1]);
  return integerValue(elements(params)[1]);
}

/**
 * The highest iteration count the PFX asks for, read from its ASN.1 before any key is derived: the MAC's,
 * each encrypted SafeContents', and each shrouded key bag's in the plain SafeContents (RFC 7292).
 * (Key bags inside an encrypted SafeContents are only seen after decrypting it with a checked count.)
 */
function highestIterations(pfx: Asn1): number {
  const counts: (number | undefined)[] = [];
  const [, authSafe, macData] = elements(pfx);
  // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
  counts.push(integerValue(elements(macData)[2]));
  // authSafe ContentInfo { data, [0] OCTET STRING holding AuthenticatedSafe ::= SEQUENCE OF ContentInfo }
  for (const info of elements(derInside(elements(elements(authSafe)[1])[0]))) {
    const [type, explicit] = elements(info);
    const content = elements(explicit)[0];
    const oid = oidOf(type);
    if (oid === forge.pki.oids['encryptedData']) {
      // EncryptedData { version, EncryptedContentInfo { contentType, contentEncryptionAlgorithm, [0] ... } }
      counts.push(algorithmIterations(elements(elements(content)[1])[1]));
    } else if (oid === forge.pki.oids['data']) {
      // SafeContents ::= SEQUENCE OF SafeBag { bagId, [0] bagValue, attributes }
      for (const bag of elements(derInside(content))) {
        const [bagId, value] = elements(bag);
        if (oidOf(bagId) === forge.pki.oids['pkcs8ShroudedKeyBag']) counts.push(algorithmIterations(elements(elements(value)[0])[0]));
      }
    }
  }
  let highest = 0;
  for (const c of counts) if (c !== undefined && c > highest) highest = c;
  return highest;
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

/** What a bag holds; a damaged bag is a Pkcs12Error saying so, never the TypeError or OpenSSL error it raised. */
function fromBag<T>(bag: forge.pkcs12.Bag, read: (bag: forge.pkcs12.Bag) => T, what: string): T {
  try {
    return read(bag);
  } catch {
    throw new Pkcs12Error(
      'unreadable',
      `holds ${what} that cannot be read (its bag is damaged); export the identity again from Keychain Access or with openssl pkcs12 -export`,
    );
  }
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
  const iterations = highestIterations(asn1);
  if (iterations > MAX_ITERATIONS) {
    throw new Pkcs12Error(
      'unreadable',
      `asks for ${Number.isFinite(iterations) ? iterations : 'more than 2^48'} key-derivation iterations, more than the ${MAX_ITERATIONS} this action allows; export it again (Keychain Access and openssl pkcs12 -export use 2048)`,
    );
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
    // forge's own errors say what it could not read; a TypeError from inside it says nothing to a user.
    const reason = lastError instanceof Error && lastError.constructor === Error ? ` (${msg})` : '';
    throw new Pkcs12Error('not-pkcs12', `is not a readable PKCS#12 file${reason}`);
  }
  const privateKeysPem: string[] = [];
  const certificatesDer: Buffer[] = [];
  for (const safe of pfx.safeContents) {
    for (const bag of safe.safeBags) {
      if (bag.type === forge.pki.oids.certBag) {
        const der = fromBag(bag, certDerFromBag, 'a certificate');
        if (der) certificatesDer.push(der);
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        const pem = fromBag(bag, keyPemFromBag, 'a private key');
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
