/**
 * revoke-certificate-id: frees a slot of Apple's certificate cap by revoking one certificate (DELETE
 * /v1/certificates/{id}; docs/apple-facts.md §1.7). Refused while a current profile on the account holds it, since
 * Apple turns those INVALID and every build signing with them fails, unless force-revoke. On the
 * Enterprise Program API a distribution certificate is refused without force-revoke whatever holds it:
 * revoking it stops every installed In-House app signed with it.
 */
import type { ApiKind } from '../apple/api.js';
import { deleteCertificate, getCertificate } from '../apple/certificates.js';
import { listProfiles } from '../apple/profiles.js';
import { AppleApiError, ConfigError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { profileUsable } from '../lifecycle/findings.js';

export interface RevokeRequest {
  api: ApiKind;
  certificateId: string;
  force: boolean;
  now: Date;
}

/** Revokes the certificate; returns false when it was already gone (a second run with the same input). */
export async function revokeCertificate(http: AppleHttpClient, r: RevokeRequest, log: Logger): Promise<boolean> {
  let cert;
  try {
    cert = await getCertificate(http, r.certificateId);
  } catch (err) {
    if (!(err instanceof AppleApiError && err.status === 404)) throw err;
    log.info(`Certificate ${r.certificateId} (revoke-certificate-id) is not on the account: it was revoked already.`);
    return false;
  }
  const a = cert.attributes;
  const what = `certificate '${a?.name ?? cert.id}' (${cert.id}, ${a?.certificateType ?? 'unknown type'}, expires ${a?.expirationDate?.slice(0, 10) ?? 'on an unknown date'})`;
  if (r.api === 'enterprise' && /DISTRIBUTION/.test(a?.certificateType ?? '') && !r.force) {
    throw new ConfigError(
      `Not revoking ${what}: on the Enterprise Program API, revoking a distribution certificate stops every installed In-House app signed with it, on every device; set force-revoke: true only if that is what you want.`,
    );
  }
  const holders = (await listProfiles(http, { withDevices: false, withoutContent: true })).filter(
    (p) => profileUsable(p, r.now) && p.certificates.some((c) => c.id === cert.id),
  );
  if (holders.length > 0 && !r.force) {
    const names = holders.map((p) => `'${p.profile.attributes?.name ?? ''}' (${p.profile.id})`).join(', ');
    throw new ConfigError(
      `Not revoking ${what}: ${holders.length} current profile(s) hold it (${names}), and Apple makes them INVALID, so builds signing with them fail; move them to another certificate first (ensure-profile with certificate-ids, or provision), pick another certificate to revoke, or set force-revoke: true.`,
    );
  }
  await deleteCertificate(http, cert.id);
  log.warning(
    `Revoked ${what}${holders.length > 0 ? `; ${holders.length} profile(s) that held it are now INVALID until ensure-profile recreates them` : ''}. Any secret holding its key or p12 is now useless.`,
    'Certificate revoked',
  );
  return true;
}
