/**
 * What each of Apple's profile types needs (docs/apple-facts.md §1.6): the certificate types that fit it, the
 * platform of its devices when it is device-bound, and whether it takes several certificates.
 */
import type { ApiKind } from '../apple/api.js';
import type { BundleIdPlatform, CertificateType, ProfileType } from '../apple/types.js';

export interface ProfileTypeInfo {
  /** Certificate types that fit; the first is the one to create when none exists (and provision's default). */
  certificateTypes: readonly CertificateType[];
  /** Platform of the devices it must hold; null when it holds none (store, in-house, Developer ID). */
  devicePlatform: BundleIdPlatform | null;
  /** Development profiles take every valid certificate; the others take one distribution certificate. */
  development: boolean;
  /** In-house types exist only on the Enterprise Program API, App Store types only on App Store Connect. */
  api?: ApiKind;
}

const DIST: CertificateType[] = ['DISTRIBUTION'];
const DEV: CertificateType[] = ['DEVELOPMENT'];
const DEVELOPER_ID: CertificateType[] = ['DEVELOPER_ID_APPLICATION_G2', 'DEVELOPER_ID_APPLICATION'];

function t(certificateTypes: CertificateType[], kind: 'development' | 'adhoc' | 'store' | 'inhouse' | 'direct', platform: BundleIdPlatform): ProfileTypeInfo {
  const bound = kind === 'development' || kind === 'adhoc';
  const out: ProfileTypeInfo = { certificateTypes, devicePlatform: bound ? platform : null, development: kind === 'development' };
  if (kind === 'inhouse') out.api = 'enterprise';
  if (kind === 'store') out.api = 'app-store-connect';
  return out;
}

/**
 * The table from docs/apple-facts.md §1.6 (codemagic's CertificateType.from_profile_type). One rule for development profiles:
 * the unified DEVELOPMENT ("Apple Development", what Xcode creates since Xcode 11) fits every development
 * profile and comes first, so it is what a missing-certificate error asks for and what provision
 * downloads or creates by default; the platform's legacy type (IOS_DEVELOPMENT, MAC_APP_DEVELOPMENT),
 * which Apple's mapping names, fits as well. That DEVELOPMENT fits iOS and Mac development profiles is
 * common practice, unconfirmed by Apple.
 */
export const PROFILE_TYPES: Readonly<Record<ProfileType, ProfileTypeInfo>> = {
  IOS_APP_DEVELOPMENT: t([...DEV, 'IOS_DEVELOPMENT'], 'development', 'IOS'),
  IOS_APP_STORE: t([...DIST, 'IOS_DISTRIBUTION'], 'store', 'IOS'),
  IOS_APP_ADHOC: t([...DIST, 'IOS_DISTRIBUTION'], 'adhoc', 'IOS'),
  IOS_APP_INHOUSE: t([...DIST, 'IOS_DISTRIBUTION'], 'inhouse', 'IOS'),
  MAC_APP_DEVELOPMENT: t([...DEV, 'MAC_APP_DEVELOPMENT'], 'development', 'MAC_OS'),
  MAC_APP_STORE: t([...DIST, 'MAC_APP_DISTRIBUTION'], 'store', 'MAC_OS'),
  MAC_APP_DIRECT: t(DEVELOPER_ID, 'direct', 'MAC_OS'),
  TVOS_APP_DEVELOPMENT: t(DEV, 'development', 'IOS'),
  TVOS_APP_STORE: t(DIST, 'store', 'IOS'),
  TVOS_APP_ADHOC: t(DIST, 'adhoc', 'IOS'),
  TVOS_APP_INHOUSE: t(DIST, 'inhouse', 'IOS'),
  MAC_CATALYST_APP_DEVELOPMENT: t(DEV, 'development', 'MAC_OS'),
  MAC_CATALYST_APP_STORE: t(DIST, 'store', 'MAC_OS'),
  MAC_CATALYST_APP_DIRECT: t(DEVELOPER_ID, 'direct', 'MAC_OS'),
};

export const PROFILE_TYPE_NAMES = Object.keys(PROFILE_TYPES) as ProfileType[];

export function profileTypeInfo(type: ProfileType): ProfileTypeInfo {
  return PROFILE_TYPES[type];
}

/** Whether a profile file of this type is a macOS one (`.provisionprofile`). */
export function isMacProfileType(type: ProfileType): boolean {
  return type.startsWith('MAC_');
}
