// The simulator's certificate authority: signs the TLS server certificate, the certificates issued from
// CSRs and the provisioning profiles (CMS). node:crypto makes the RSA keys (fast); node-forge builds X.509.
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { YEAR_MS } from './ids.js';

export interface SimCa {
  cert: forge.pki.Certificate;
  key: RsaSigner;
  certPem: string;
}

/**
 * What forge's X.509 and CMS signing call on a private key: `sign(md)` with a finished SHA-256 digest,
 * returning the RSASSA-PKCS1-v1_5 signature as a binary string. This one signs with node:crypto: forge's
 * JavaScript RSA cost about 100 ms of CPU per certificate and per profile, most of the test suite's time.
 */
interface RsaSigner {
  sign(md: forge.md.MessageDigest): string;
}

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2), before the 32 digest bytes. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

function rsaSigner(privateKeyPem: string): RsaSigner {
  const key: KeyObject = createPrivateKey(privateKeyPem);
  return {
    sign(md) {
      if (md.algorithm !== 'sha256') throw new Error(`the simulator CA signs SHA-256 digests only, not ${md.algorithm}`);
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
}

/** forge's signing functions are typed for its own keys; they only call `sign(md)`, which RsaSigner has. */
const asForgeKey = (signer: RsaSigner): forge.pki.rsa.PrivateKey => signer as unknown as forge.pki.rsa.PrivateKey;

/** One CA key pair per process: making an RSA key is most of a simulator's start-up, and each CA still gets its own certificate. */
let caKeyPair: RsaKeyPair | undefined;

export interface RsaKeyPair {
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
  privateKeyPem: string;
  publicKey: forge.pki.rsa.PublicKey;
}

const CA_SUBJECT: forge.pki.CertificateField[] = [
  { name: 'commonName', value: 'Simulated Apple Worldwide Developer Relations Certification Authority' },
  { name: 'organizationalUnitName', value: 'G3' },
  { name: 'organizationName', value: 'Simulated Apple Inc.' },
  { name: 'countryName', value: 'US' },
];

export function newRsaKeyPair(): RsaKeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { privateKeyPem, publicKey: rsaPublicKeyFromPem(privateKeyPem) };
}

/** The RSA public key of a private key PEM (PKCS#1 or PKCS#8). Throws for non-RSA keys. */
export function rsaPublicKeyFromPem(privateKeyPem: string): forge.pki.rsa.PublicKey {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('certificate keys must be RSA');
  const spki = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return forge.pki.publicKeyFromPem(spki) as forge.pki.rsa.PublicKey;
}

/** A positive serial number as upper-case hex (16 hex digits, like Apple's). */
export function newSerialHex(): string {
  const bytes = randomBytes(8);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex').toUpperCase();
}

export function createCa(now: Date): SimCa {
  caKeyPair ??= newRsaKeyPair();
  const { privateKeyPem, publicKey } = caKeyPair;
  const key = rsaSigner(privateKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = newSerialHex();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * YEAR_MS);
  cert.setSubject(CA_SUBJECT);
  cert.setIssuer(CA_SUBJECT);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(asForgeKey(key), forge.md.sha256.create());
  return { cert, key, certPem: forge.pki.certificateToPem(cert) };
}

export interface IssueRequest {
  publicKey: forge.pki.PublicKey;
  subject: forge.pki.CertificateField[];
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
}

/** Issues a certificate signed by the CA; returns it as DER bytes. */
function issue(ca: SimCa, req: IssueRequest): Buffer {
  const cert = forge.pki.createCertificate();
  cert.publicKey = req.publicKey;
  cert.serialNumber = req.serialHex;
  cert.validity.notBefore = req.notBefore;
  cert.validity.notAfter = req.notAfter;
  cert.setSubject(req.subject);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    ...req.extensions,
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(asForgeKey(ca.key), forge.md.sha256.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

/** A code-signing certificate as Apple issues them: basicConstraints CA:FALSE, digitalSignature, codeSigning. */
export function issueCodeSigning(ca: SimCa, req: Omit<IssueRequest, 'extensions'>): Buffer {
  return issue(ca, {
    ...req,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', codeSigning: true, critical: true },
    ],
  });
}

/** Apple's API and OAuth hosts, which the TLS certificate can also name (SimulatorOptions.appleHostnames). */
export const APPLE_HOSTNAMES: readonly string[] = [
  'api.appstoreconnect.apple.com',
  'api.enterprise.developer.apple.com',
  'api-business.apple.com',
  'account.apple.com',
];

/** The HTTPS server certificate for 127.0.0.1, ::1 and localhost, and any further DNS names. */
export function issueTlsCertificate(ca: SimCa, now: Date, dnsNames: readonly string[] = []): { certPem: string; keyPem: string } {
  const { privateKeyPem, publicKey } = newRsaKeyPair();
  const der = issue(ca, {
    publicKey,
    subject: [{ name: 'commonName', value: 'localhost' }],
    serialHex: newSerialHex(),
    notBefore: new Date(now.getTime() - 24 * 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + YEAR_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }, { type: 2, value: 'localhost' }, ...dnsNames.map((value) => ({ type: 2, value }))],
      },
    ],
  });
  return { certPem: derToPem(der), keyPem: privateKeyPem };
}

function derToPem(der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** CMS SignedData (attached content), signed by the CA, as DER bytes: the form of a .mobileprovision. */
export function signCms(ca: SimCa, content: Buffer, signingTime: Date): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  p7.addCertificate(ca.cert);
  p7.addSigner({
    key: asForgeKey(ca.key),
    certificate: ca.cert,
    digestAlgorithm: forge.pki.oids.sha256 ?? '2.16.840.1.101.3.4.2.1',
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType ?? '1.2.840.113549.1.9.3', value: forge.pki.oids.data ?? '1.2.840.113549.1.7.1' },
      { type: forge.pki.oids.messageDigest ?? '1.2.840.113549.1.9.4' },
      { type: forge.pki.oids.signingTime ?? '1.2.840.113549.1.9.5', value: signingTime.toISOString() },
    ],
  });
  p7.sign();
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}
