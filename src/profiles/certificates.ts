/** Which certificates a new profile gets: valid ones of a type that fits the profile type. */
import { certificateValid } from '../apple/certificates.js';
import type { Certificate, CertificateType, ProfileType } from '../apple/types.js';
import type { ApiKind } from '../apple/api.js';
import { ConfigError } from '../core/errors.js';
import type { ProfileTypeInfo } from './profile-types.js';

/** Certificate types the Enterprise Program API does not know (docs/apple-facts.md §1.7). */
const NOT_ON_ENTERPRISE: readonly CertificateType[] = ['DEVELOPER_ID_APPLICATION_G2', 'DEVELOPER_ID_KEXT_G2'];

/** The certificate types to ask Apple for, as this API spells them. */
export function certificateTypesFor(info: ProfileTypeInfo, api: ApiKind): CertificateType[] {
  return info.certificateTypes.filter((t) => api !== 'enterprise' || !NOT_ON_ENTERPRISE.includes(t));
}

/** The certificate type to create when none fits, and provision's default certificate-type (profile-types.ts). */
export function certificateTypeToCreate(info: ProfileTypeInfo, api: ApiKind): CertificateType {
  return certificateTypesFor(info, api)[0] as CertificateType;
}

/** How to get a certificate of this type: Developer ID ones cannot be created through the API. */
function howToCreate(type: CertificateType): string {
  return type.startsWith('DEVELOPER_ID_')
    ? `have the Account Holder create a ${type} certificate in Certificates, Identifiers & Profiles on developer.apple.com first (Apple does not create Developer ID certificates through the API)`
    : `create a ${type} certificate first (download-certificate with create-if-missing: true, or Certificates, Identifiers & Profiles on developer.apple.com)`;
}

const expiry = (c: Certificate): number => Date.parse(c.attributes?.expirationDate ?? '0');

/**
 * Development profiles take every valid fitting certificate; the others one distribution certificate,
 * the one that stays valid longest (Apple's profiles take one, docs/apple-facts.md §1.6). With `ids`, exactly those,
 * each checked to exist, fit and be valid.
 */
export function chooseCertificates(
  certs: readonly Certificate[],
  o: { profileType: ProfileType; info: ProfileTypeInfo; api: ApiKind; now: Date; ids?: readonly string[] },
): Certificate[] {
  const types = certificateTypesFor(o.info, o.api);
  const fits = (c: Certificate): boolean => !!c.attributes?.certificateType && types.includes(c.attributes.certificateType);
  if (o.ids) {
    return o.ids.map((id) => {
      const c = certs.find((x) => x.id === id);
      if (!c)
        throw new ConfigError(
          `Certificate ${id} given in certificate-ids is not on this account; list the IDs of current certificates (Certificates, Identifiers & Profiles) or leave certificate-ids empty to use every valid ${types.join(' or ')} certificate.`,
        );
      if (!fits(c))
        throw new ConfigError(
          `Certificate ${id} given in certificate-ids is a ${c.attributes?.certificateType ?? 'different'} certificate, but a ${o.profileType} profile takes ${types.join(' or ')}; give a certificate of that type.`,
        );
      if (!certificateValid(c, o.now))
        throw new ConfigError(
          `Certificate ${id} given in certificate-ids expired on ${c.attributes?.expirationDate?.slice(0, 10) ?? 'an unknown date'} or is deactivated; give a current one.`,
        );
      return c;
    });
  }
  const valid = certs.filter((c) => fits(c) && certificateValid(c, o.now)).sort((a, b) => expiry(b) - expiry(a));
  if (valid.length === 0) {
    throw new ConfigError(
      `The account has no valid ${types.join(' or ')} certificate, which a ${o.profileType} profile needs; ${howToCreate(certificateTypeToCreate(o.info, o.api))}.`,
    );
  }
  return o.info.development ? valid : valid.slice(0, 1);
}
