/**
 * What a signing certificate says about itself (name, serial, validity, SHA-1), and whether a private
 * key belongs to it. The match is by public key: the certificate's subjectPublicKeyInfo against the
 * key's, the one test that cannot pick a look-alike.
 */
import { DAY_MS } from '../core/time.js';
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

export interface CertificateInfo {
  der: Buffer;
  /** The subject's common name, e.g. "Apple Distribution: Example Ltd (ABCDE12345)": codesign's identity name. */
  commonName: string;
  /** Upper-case hex, no separators, without leading zero bytes (as Apple shows it). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-1 of the DER certificate: 40 upper-case hex digits, no colons (what `security find-identity` prints). */
  sha1: string;
  /** DER subjectPublicKeyInfo. */
  spki: Buffer;
}

/** Reads a DER (or PEM) X.509 certificate; throws when it is not one. */
export function readCertificate(der: Buffer): CertificateInfo {
  const x = new X509Certificate(der);
  return {
    der: Buffer.from(x.raw),
    commonName: commonNameOf(x.subject) ?? x.subject.replace(/\n/g, ', '),
    serialNumber: x.serialNumber.toUpperCase().replace(/^(00)+(?=.)/, ''),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    sha1: x.fingerprint.replace(/:/g, '').toUpperCase(),
    spki: x.publicKey.export({ type: 'spki', format: 'der' }),
  };
}

/** Reads Apple's `certificateContent` (base64 DER). */
export function readCertificateContent(base64: string): CertificateInfo {
  return readCertificate(Buffer.from(base64.replace(/\s+/g, ''), 'base64'));
}

function commonNameOf(subject: string): string | undefined {
  for (const line of subject.split('\n')) {
    if (line.startsWith('CN=')) {
      const v = line.slice(3);
      // Node quotes values holding special characters as JSON strings.
      if (v.startsWith('"') && v.endsWith('"')) {
        try {
          return JSON.parse(v) as string;
        } catch {
          return v.slice(1, -1);
        }
      }
      return v;
    }
  }
  return undefined;
}

/** The DER subjectPublicKeyInfo of a private key. */
export function publicKeySpki(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}

export function keyMatches(cert: CertificateInfo, spki: Buffer): boolean {
  return cert.spki.equals(spki);
}

/** Whole days from `now` until the certificate expires (negative once it has). */
export function daysLeft(cert: CertificateInfo, now: Date): number {
  return Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY_MS);
}
