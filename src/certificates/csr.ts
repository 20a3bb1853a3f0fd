/** A new RSA-2048 signing key and the certificate signing request Apple turns into a certificate. */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/** A fresh RSA-2048 private key as PKCS#8 PEM (node:crypto makes it; forge would be slow). A secret. */
export function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export interface CsrSubject {
  commonName: string;
  emailAddress?: string;
  countryName?: string;
}

/**
 * A PKCS#10 request for `privateKeyPem` (RSA), signed with SHA-256, as PEM. Apple replaces the subject
 * with its own (team name and id), so the subject only helps a human reading the request.
 */
export function createCsr(privateKeyPem: string, subject: CsrSubject): string {
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const fields: forge.pki.CertificateField[] = [{ name: 'commonName', value: subject.commonName }];
  if (subject.emailAddress) fields.push({ name: 'emailAddress', value: subject.emailAddress });
  if (subject.countryName) fields.push({ name: 'countryName', value: subject.countryName });
  csr.setSubject(fields);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
