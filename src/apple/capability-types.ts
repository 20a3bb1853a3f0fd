/** Apple's capability types and their settings, as both specs define them (facts.md §1.10). */
import type { components } from '../generated/asc.js';

export type CapabilityType = components['schemas']['CapabilityType'];
export type CapabilitySettingKey = NonNullable<components['schemas']['CapabilitySetting']['key']>;
export type CapabilityOptionKey = NonNullable<components['schemas']['CapabilityOption']['key']>;

/** Every CapabilityType of both specs, in the spec's order. */
export const CAPABILITY_TYPES = [
  'ICLOUD',
  'IN_APP_PURCHASE',
  'GAME_CENTER',
  'PUSH_NOTIFICATIONS',
  'WALLET',
  'INTER_APP_AUDIO',
  'MAPS',
  'ASSOCIATED_DOMAINS',
  'PERSONAL_VPN',
  'APP_GROUPS',
  'HEALTHKIT',
  'HOMEKIT',
  'WIRELESS_ACCESSORY_CONFIGURATION',
  'APPLE_PAY',
  'DATA_PROTECTION',
  'SIRIKIT',
  'NETWORK_EXTENSIONS',
  'MULTIPATH',
  'HOT_SPOT',
  'NFC_TAG_READING',
  'CLASSKIT',
  'AUTOFILL_CREDENTIAL_PROVIDER',
  'ACCESS_WIFI_INFORMATION',
  'NETWORK_CUSTOM_PROTOCOL',
  'COREMEDIA_HLS_LOW_LATENCY',
  'SYSTEM_EXTENSION_INSTALL',
  'USER_MANAGEMENT',
  'APPLE_ID_AUTH',
] as const satisfies readonly CapabilityType[];

/** The setting each configurable capability takes, with its options (spec CapabilitySetting). */
export const CAPABILITY_SETTINGS: Readonly<Partial<Record<CapabilityType, { key: CapabilitySettingKey; options: readonly CapabilityOptionKey[] }>>> = {
  ICLOUD: { key: 'ICLOUD_VERSION', options: ['XCODE_5', 'XCODE_6'] },
  DATA_PROTECTION: { key: 'DATA_PROTECTION_PERMISSION_LEVEL', options: ['COMPLETE_PROTECTION', 'PROTECTED_UNLESS_OPEN', 'PROTECTED_UNTIL_FIRST_USER_AUTH'] },
  APPLE_ID_AUTH: { key: 'APPLE_ID_AUTH_APP_CONSENT', options: ['PRIMARY_APP_CONSENT'] },
};
