/**
 * Finds the identity to install: the account's valid certificate for the given key, else the one saved
 * in the identity store, else (with create-if-missing) a new one. Never creates a certificate when the
 * store holds one it cannot open.
 */
import { getCertificate, listCertificates } from '../apple/certificates.js';
import type { Certificate, CertificateType } from '../apple/types.js';
import { ConfigError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { createSigningCertificate } from './create.js';
import { daysLeft } from './match.js';
import { describeCandidates, selectForKey, type Candidate } from './select.js';
import type { IdentityStore, StoreScope } from './identity-store.js';
import { signingKeyFromPem, type SigningKey } from './signing-key.js';

export type IdentitySource = 'signing-key' | 'p12' | 'identity-store' | 'created';

export interface ResolvedIdentity {
  key: SigningKey;
  certificate: Certificate;
  candidate: Candidate;
  source: IdentitySource;
  /** The account's certificates of the type that were looked at. */
  considered: number;
  /** renew-days: the certificate this one succeeds (still valid until it expires). */
  previous?: Candidate;
}

export interface ResolveRequest {
  certificateType: CertificateType | undefined;
  certificateId: string | undefined;
  /** Keys the user gave, with where they came from (a p12 may hold several). */
  keys: { key: SigningKey; source: 'signing-key' | 'p12' }[];
  createIfMissing: boolean;
  /** Create a successor when the stored certificate expires within this many days (0 = never). */
  renewDays: number;
  store?: { store: IdentityStore; scope: Omit<StoreScope, 'certificateType'>; passphrase: string } | undefined;
  now: Date;
}

function label(c: Candidate): string {
  return `${c.cert.id} "${c.info.commonName}" (serial ${c.info.serialNumber}, expires ${c.info.notAfter.toISOString().slice(0, 10)})`;
}

export async function resolveIdentity(http: AppleHttpClient, req: ResolveRequest, log: Logger): Promise<ResolvedIdentity> {
  const certs = req.certificateId
    ? [await getCertificate(http, req.certificateId)]
    : await listCertificates(http, { types: req.certificateType ? [req.certificateType] : [] });
  const type = (req.certificateType ?? certs[0]?.attributes?.certificateType) as CertificateType | undefined;
  const what = req.certificateId ? `certificate ${req.certificateId}` : `${type} certificates`;
  const candidates = describeCandidates(certs, req.now);
  const validCount = candidates.filter((c) => c.valid).length;
  log.info(
    req.certificateId
      ? `Certificate ${req.certificateId} is ${candidates[0]?.valid ? 'valid' : (candidates[0]?.problem ?? 'unreadable')}.`
      : `The account has ${candidates.length} ${type} certificate(s), ${validCount} valid.`,
  );
  const found = (key: SigningKey, source: IdentitySource): ResolvedIdentity | undefined => {
    const sel = selectForKey(candidates, key.spki);
    for (const u of sel.unusable) log.info(`Certificate ${label(u)} has this key but is ${u.problem}.`);
    return sel.match ? { key, certificate: sel.match.cert, candidate: sel.match, source, considered: candidates.length } : undefined;
  };

  for (const { key, source } of req.keys) {
    const hit = found(key, source);
    if (hit) {
      log.info(`Using ${label(hit.candidate)}: its public key matches ${source}.`);
      return hit;
    }
  }
  const given = req.keys[0]?.source;
  let reason = given ? `none of the ${validCount} valid ${what} has the public key of ${given}` : `no private key was given (signing-key or p12)`;

  if (!given && req.store) {
    if (!type) throw new ConfigError(`The ${what} was not found on the account; check certificate-id.`);
    const scope: StoreScope = { ...req.store.scope, certificateType: type };
    const loaded = await req.store.store.load(scope, req.store.passphrase);
    if (loaded.kind === 'unreadable') {
      throw new ConfigError(
        `The ${type} identity saved in the Actions cache (${loaded.key}) cannot be read (${loaded.reason}); delete that cache entry (Actions > Caches) to let create-if-missing make and save a new certificate.`,
      );
    }
    if (loaded.kind === 'restored') {
      const hit = found(signingKeyFromPem(loaded.identity.privateKeyPem), 'identity-store');
      if (hit && daysLeft(hit.candidate.info, req.now) < req.renewDays && type) {
        log.info(`${label(hit.candidate)} from the identity store expires within renew-days (${req.renewDays}); creating its successor with a new key.`);
        const successor = await create(http, type, candidates, req.now, log);
        return { ...successor, considered: candidates.length, previous: hit.candidate };
      }
      if (hit) {
        log.info(`Using ${label(hit.candidate)} from the identity store (${loaded.key}).`);
        return hit;
      }
      reason = `the identity saved in the identity store (certificate ${loaded.identity.certificateId}) is no longer a valid certificate on the account`;
      log.info(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`);
    } else {
      // The cache key comes from the passphrase: an identity saved under another one is not found.
      reason = `the identity store has no ${type} identity for this account under this identity-passphrase`;
      log.info(`${reason.charAt(0).toUpperCase()}${reason.slice(1)} (one saved with another passphrase cannot be found with this one).`);
    }
  }

  if (!req.createIfMissing || req.certificateId || !type) {
    const fix = req.certificateId
      ? `pass the private key of certificate ${req.certificateId} as signing-key or p12 (create-if-missing never replaces a named certificate)`
      : given
        ? 'pass the key of a current certificate, or set create-if-missing: true to create a new certificate'
        : "pass a certificate's private key as signing-key (or its .p12 as p12), or set create-if-missing: true to create a certificate";
    throw new ConfigError(`No usable ${what}: ${reason}; ${fix}.`);
  }

  log.info(`Creating a ${type} certificate (${reason}).`);
  return { ...(await create(http, type, candidates, req.now, log)), considered: candidates.length };
}

/** A new certificate of the type (new key and CSR); at Apple's cap, the sentence names the current ones. */
async function create(
  http: AppleHttpClient,
  type: CertificateType,
  candidates: readonly Candidate[],
  now: Date,
  log: Logger,
): Promise<Omit<ResolvedIdentity, 'considered'>> {
  const current = candidates.filter((c) => c.valid).map((c) => c.cert);
  const created = await createSigningCertificate(http, type, (l) => log.debug(l), current);
  const candidate = describeCandidates([created.certificate], now)[0];
  if (!candidate)
    throw new ConfigError(
      `Apple created certificate ${created.certificate.id} but returned no readable certificateContent; revoke it in Certificates, Identifiers & Profiles (its new private key cannot be paired with it) and run again.`,
    );
  log.info(`Created ${label(candidate)}.`);
  return { key: created.key, certificate: created.certificate, candidate, source: 'created' };
}
