// What Apple's certificate and profile types mean: certificate names, platforms, which certificates
// fit which profile type (docs/apple-facts.md §1.6 table), which profiles hold devices.
import type { ApiKind, Platform } from './types.js';

export const CERTIFICATE_TYPES: Record<ApiKind, readonly string[]> = {
  'app-store-connect': [
    'APPLE_PAY',
    'APPLE_PAY_MERCHANT_IDENTITY',
    'APPLE_PAY_PSP_IDENTITY',
    'APPLE_PAY_RSA',
    'DEVELOPER_ID_KEXT',
    'DEVELOPER_ID_KEXT_G2',
    'DEVELOPER_ID_APPLICATION',
    'DEVELOPER_ID_APPLICATION_G2',
    'DEVELOPMENT',
    'DISTRIBUTION',
    'IDENTITY_ACCESS',
    'IOS_DEVELOPMENT',
    'IOS_DISTRIBUTION',
    'MAC_APP_DISTRIBUTION',
    'MAC_INSTALLER_DISTRIBUTION',
    'MAC_APP_DEVELOPMENT',
    'PASS_TYPE_ID',
    'PASS_TYPE_ID_WITH_NFC',
  ],
  enterprise: [
    'IOS_DEVELOPMENT',
    'IOS_DISTRIBUTION',
    'MAC_APP_DISTRIBUTION',
    'MAC_INSTALLER_DISTRIBUTION',
    'MAC_APP_DEVELOPMENT',
    'DEVELOPER_ID_KEXT',
    'DEVELOPER_ID_APPLICATION',
    'DEVELOPMENT',
    'DISTRIBUTION',
    'PASS_TYPE_ID',
    'PASS_TYPE_ID_WITH_NFC',
  ],
};

/** Developer ID certificate types: reportedly not creatable through the API (docs/apple-facts.md §1.7, unconfirmed). */
export const DEVELOPER_ID_CERTIFICATE_TYPES: readonly string[] = [
  'DEVELOPER_ID_APPLICATION',
  'DEVELOPER_ID_APPLICATION_G2',
  'DEVELOPER_ID_KEXT',
  'DEVELOPER_ID_KEXT_G2',
];

/**
 * Current certificates allowed per type where the simulator assumes a limit other than
 * SimulatorOptions.certificateLimitPerType (3): Developer ID, 5 per team (third-party reports; Apple's API
 * documentation gives no numbers). An assumption, listed in the README.
 */
export const DEFAULT_CERTIFICATE_LIMITS: Readonly<Record<string, number>> = Object.fromEntries(DEVELOPER_ID_CERTIFICATE_TYPES.map((t) => [t, 5]));

export const PROFILE_TYPES = [
  'IOS_APP_DEVELOPMENT',
  'IOS_APP_STORE',
  'IOS_APP_ADHOC',
  'IOS_APP_INHOUSE',
  'MAC_APP_DEVELOPMENT',
  'MAC_APP_STORE',
  'MAC_APP_DIRECT',
  'TVOS_APP_DEVELOPMENT',
  'TVOS_APP_STORE',
  'TVOS_APP_ADHOC',
  'TVOS_APP_INHOUSE',
  'MAC_CATALYST_APP_DEVELOPMENT',
  'MAC_CATALYST_APP_STORE',
  'MAC_CATALYST_APP_DIRECT',
] as const;

export const PLATFORMS: Record<ApiKind, readonly Platform[]> = {
  'app-store-connect': ['IOS', 'MAC_OS', 'UNIVERSAL'],
  enterprise: ['IOS', 'MAC_OS'],
};

const CERT_PREFIX: Record<string, string> = {
  DEVELOPMENT: 'Apple Development',
  DISTRIBUTION: 'Apple Distribution',
  IOS_DEVELOPMENT: 'iPhone Developer',
  IOS_DISTRIBUTION: 'iPhone Distribution',
  MAC_APP_DEVELOPMENT: 'Mac Developer',
  MAC_APP_DISTRIBUTION: '3rd Party Mac Developer Application',
  MAC_INSTALLER_DISTRIBUTION: '3rd Party Mac Developer Installer',
  DEVELOPER_ID_APPLICATION: 'Developer ID Application',
  DEVELOPER_ID_APPLICATION_G2: 'Developer ID Application',
  DEVELOPER_ID_KEXT: 'Developer ID Kext',
  DEVELOPER_ID_KEXT_G2: 'Developer ID Kext',
  PASS_TYPE_ID: 'Pass Type ID',
  PASS_TYPE_ID_WITH_NFC: 'Pass Type ID',
  APPLE_PAY: 'Apple Pay Payment Processing',
  APPLE_PAY_MERCHANT_IDENTITY: 'Merchant ID',
  APPLE_PAY_PSP_IDENTITY: 'Apple Pay PSP Identity',
  APPLE_PAY_RSA: 'Apple Pay Payment Processing RSA',
  IDENTITY_ACCESS: 'Identity Access',
};

/** "Apple Distribution", "iPhone Developer", …: the prefix of the certificate's common name. */
export function certificatePrefix(certificateType: string): string {
  return CERT_PREFIX[certificateType] ?? titleCase(certificateType);
}

/** The word Apple uses in "You already have a current <kind> certificate …". */
export function certificateKindLabel(certificateType: string): string {
  if (certificateType === 'DISTRIBUTION') return 'Distribution';
  if (certificateType === 'DEVELOPMENT') return 'Development';
  return titleCase(certificateType).replace(/^Ios\b/, 'iOS');
}

export function certificatePlatform(certificateType: string): Platform | null {
  if (certificateType.startsWith('IOS_')) return 'IOS';
  if (certificateType.startsWith('MAC_') || certificateType.startsWith('DEVELOPER_ID_')) return 'MAC_OS';
  return null;
}

function titleCase(s: string): string {
  return s
    .split('_')
    .map((w) => w.charAt(0) + w.slice(1).toLowerCase())
    .join(' ');
}

export interface ProfileTypeInfo {
  platform: Platform;
  /** Values of the plist's Platform array. */
  plistPlatform: string[];
  /** Which devices the profile is for; null when it takes none. */
  devicePlatform: Platform | null;
  development: boolean;
  /** In-house and Developer ID profiles provision all devices. */
  provisionsAllDevices: boolean;
  certificateTypes: readonly string[];
  /** Only on this API (in-house types: enterprise). */
  onlyOn?: ApiKind;
  /** Not on this API (App Store types: not for enterprise teams). */
  notOn?: ApiKind;
}

const DIST = ['DISTRIBUTION'];
const DEV = ['DEVELOPMENT'];
const DEVELOPER_ID = ['DEVELOPER_ID_APPLICATION', 'DEVELOPER_ID_APPLICATION_G2'];

function info(
  platform: Platform,
  plistPlatform: string,
  kind: 'development' | 'adhoc' | 'store' | 'inhouse' | 'direct',
  certificateTypes: readonly string[],
  devicePlatform: Platform,
): ProfileTypeInfo {
  const bound = kind === 'development' || kind === 'adhoc';
  const out: ProfileTypeInfo = {
    platform,
    plistPlatform: [plistPlatform],
    devicePlatform: bound ? devicePlatform : null,
    development: kind === 'development',
    provisionsAllDevices: kind === 'inhouse' || kind === 'direct',
    certificateTypes,
  };
  if (kind === 'inhouse') out.onlyOn = 'enterprise';
  if (kind === 'store') out.notOn = 'enterprise';
  return out;
}

/** Unified DEVELOPMENT ("Apple Development") certificates are taken to fit every development profile type. */
export const PROFILE_TYPE_INFO: Record<(typeof PROFILE_TYPES)[number], ProfileTypeInfo> = {
  IOS_APP_DEVELOPMENT: info('IOS', 'iOS', 'development', ['IOS_DEVELOPMENT', ...DEV], 'IOS'),
  IOS_APP_STORE: info('IOS', 'iOS', 'store', [...DIST, 'IOS_DISTRIBUTION'], 'IOS'),
  IOS_APP_ADHOC: info('IOS', 'iOS', 'adhoc', [...DIST, 'IOS_DISTRIBUTION'], 'IOS'),
  IOS_APP_INHOUSE: info('IOS', 'iOS', 'inhouse', [...DIST, 'IOS_DISTRIBUTION'], 'IOS'),
  MAC_APP_DEVELOPMENT: info('MAC_OS', 'OSX', 'development', ['MAC_APP_DEVELOPMENT', ...DEV], 'MAC_OS'),
  MAC_APP_STORE: info('MAC_OS', 'OSX', 'store', [...DIST, 'MAC_APP_DISTRIBUTION'], 'MAC_OS'),
  MAC_APP_DIRECT: info('MAC_OS', 'OSX', 'direct', DEVELOPER_ID, 'MAC_OS'),
  TVOS_APP_DEVELOPMENT: info('IOS', 'tvOS', 'development', DEV, 'IOS'),
  TVOS_APP_STORE: info('IOS', 'tvOS', 'store', DIST, 'IOS'),
  TVOS_APP_ADHOC: info('IOS', 'tvOS', 'adhoc', DIST, 'IOS'),
  TVOS_APP_INHOUSE: info('IOS', 'tvOS', 'inhouse', DIST, 'IOS'),
  MAC_CATALYST_APP_DEVELOPMENT: info('MAC_OS', 'OSX', 'development', DEV, 'MAC_OS'),
  MAC_CATALYST_APP_STORE: info('MAC_OS', 'OSX', 'store', DIST, 'MAC_OS'),
  MAC_CATALYST_APP_DIRECT: info('MAC_OS', 'OSX', 'direct', DEVELOPER_ID, 'MAC_OS'),
};

export function profileTypeInfo(profileType: string): ProfileTypeInfo | undefined {
  return (PROFILE_TYPE_INFO as Record<string, ProfileTypeInfo | undefined>)[profileType];
}
