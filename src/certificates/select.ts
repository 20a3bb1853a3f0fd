/**
 * Which of the account's certificates to use: the valid one whose public key is the given key's. A
 * pure function of what Apple has, the key and the clock, so the reasons can be reported exactly.
 */
import type { Certificate } from '../apple/types.js';
import { keyMatches, readCertificateContent, type CertificateInfo } from './match.js';

export interface Candidate {
  cert: Certificate;
  info: CertificateInfo;
  valid: boolean;
  /** Why it cannot be used, when not valid. */
  problem?: string;
}

export function describeCandidates(certs: readonly Certificate[], now: Date): Candidate[] {
  const out: Candidate[] = [];
  for (const cert of certs) {
    const content = cert.attributes?.certificateContent;
    if (!content) continue;
    let info: CertificateInfo;
    try {
      info = readCertificateContent(content);
    } catch {
      continue;
    }
    const expires = Date.parse(cert.attributes?.expirationDate ?? '') || info.notAfter.getTime();
    let problem: string | undefined;
    if (cert.attributes?.activated === false) problem = 'deactivated';
    else if (Math.min(expires, info.notAfter.getTime()) <= now.getTime()) problem = `expired ${info.notAfter.toISOString().slice(0, 10)}`;
    else if (info.notBefore.getTime() > now.getTime()) problem = `not valid before ${info.notBefore.toISOString()}`;
    out.push({ cert, info, valid: problem === undefined, ...(problem ? { problem } : {}) });
  }
  return out;
}

export interface KeySelection {
  /** The valid certificate for the key, the one that expires last when several are. */
  match?: Candidate;
  /** Certificates for the key that cannot be used (expired, deactivated). */
  unusable: Candidate[];
  validCount: number;
}

export function selectForKey(candidates: readonly Candidate[], spki: Buffer): KeySelection {
  const forKey = candidates.filter((c) => keyMatches(c.info, spki));
  const valid = forKey.filter((c) => c.valid).sort((a, b) => b.info.notAfter.getTime() - a.info.notAfter.getTime());
  return {
    ...(valid[0] ? { match: valid[0] } : {}),
    unusable: forKey.filter((c) => !c.valid),
    validCount: candidates.filter((c) => c.valid).length,
  };
}
