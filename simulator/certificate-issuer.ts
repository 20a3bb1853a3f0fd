// Makes certificate records: a real X.509 certificate signed by the sim CA for the given public key, with the
// subject Apple gives signing certificates ("Apple Distribution: Team (TEAMID)", OU = team ID).
import type forge from 'node-forge';
import { issueCodeSigning, newSerialHex } from './ca.js';
import type { SimEnv } from './context.js';
import { YEAR_MS } from './ids.js';
import { certificatePlatform, certificatePrefix } from './signing-types.js';
import type { ApiKind, CertificateRecord } from './types.js';

export interface NewCertificate {
  api: ApiKind;
  certificateType: string;
  publicKey: forge.pki.PublicKey;
  /** Default: one year from now. */
  expiresAt?: Date;
}

export function issueCertificateRecord(env: SimEnv, req: NewCertificate): CertificateRecord {
  const now = env.now();
  // X.509 times have whole seconds; expirationDate is the certificate's notAfter exactly.
  const notAfter = wholeSeconds(req.expiresAt ?? new Date(now.getTime() + YEAR_MS));
  const notBefore = wholeSeconds(new Date(Math.min(now.getTime(), notAfter.getTime() - YEAR_MS)));
  const prefix = certificatePrefix(req.certificateType);
  const serialHex = newSerialHex();
  const der = issueCodeSigning(env.ca, {
    publicKey: req.publicKey,
    subject: [
      { type: '0.9.2342.19200300.100.1.1', value: env.ids.next() }, // UID
      { name: 'commonName', value: `${prefix}: ${env.teamName} (${env.teamId})` },
      { name: 'organizationalUnitName', value: env.teamId },
      { name: 'organizationName', value: env.teamName },
      { name: 'countryName', value: 'US' },
    ],
    serialHex,
    notBefore,
    notAfter,
  });
  return {
    api: req.api,
    id: env.ids.next(),
    name: `${prefix}: ${env.teamName}`,
    certificateType: req.certificateType,
    displayName: env.teamName,
    serialNumber: serialHex,
    platform: certificatePlatform(req.certificateType),
    expirationDate: notAfter,
    certificateContent: der.toString('base64'),
    activated: true,
  };
}

function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}
