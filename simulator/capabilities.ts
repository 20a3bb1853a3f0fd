// What the simulator knows about Apple's bundle ID capabilities (docs/apple-facts.md §1.10): the spec's CapabilityType
// values, which settings and options each takes, which platforms refuse which types, the capabilities a new
// explicit App ID has without asking, and the entitlements a profile made for the bundle ID carries.
// Where Apple does not document a detail (platform support, default capabilities, the profile's values),
// simulator/README.md says what is assumed.
import type { PlistValue } from 'plist';
import type { Account } from './store.js';
import type { BundleIdPlatform, BundleIdRecord, CapabilityRecord, CapabilitySettingRecord } from './types.js';

/** Assumed: capabilities of iOS devices only (refused on MAC_OS bundle IDs), and the macOS-only one. */
const IOS_ONLY = new Set([
  'HEALTHKIT',
  'NFC_TAG_READING',
  'CLASSKIT',
  'HOT_SPOT',
  'WIRELESS_ACCESSORY_CONFIGURATION',
  'INTER_APP_AUDIO',
  'MULTIPATH',
  'ACCESS_WIFI_INFORMATION',
]);
const MAC_ONLY = new Set(['SYSTEM_EXTENSION_INSTALL']);

/** A services ID (platform SERVICES, e.g. for Sign in with Apple on the web) takes Sign in with Apple only (an assumption). */
export function platformSupports(platform: BundleIdPlatform, capabilityType: string): boolean {
  if (platform === 'SERVICES') return capabilityType === 'APPLE_ID_AUTH';
  if (platform === 'MAC_OS') return !IOS_ONLY.has(capabilityType);
  if (platform === 'IOS') return !MAC_ONLY.has(capabilityType);
  return true;
}

/** Third-party observation (docs/apple-facts.md §1.10): a new explicit App ID comes with these enabled. Assumed on both APIs, none on wildcard IDs. */
function defaultCapabilities(b: BundleIdRecord): string[] {
  return b.identifier.endsWith('*') ? [] : ['IN_APP_PURCHASE', 'GAME_CENTER'];
}

export function capabilityId(bundleIdId: string, capabilityType: string): string {
  return `${bundleIdId}_${capabilityType}`;
}

export function capabilitiesOf(account: Account, bundleIdId: string): CapabilityRecord[] {
  return [...account.capabilities.values()].filter((c) => c.bundleIdId === bundleIdId);
}

/** Enables a capability on the account (no checks) and returns it. */
export function putCapability(account: Account, bundleIdId: string, capabilityType: string, settings: CapabilitySettingRecord[]): CapabilityRecord {
  const record: CapabilityRecord = { api: account.api, id: capabilityId(bundleIdId, capabilityType), bundleIdId, capabilityType, settings };
  account.capabilities.set(record.id, record);
  return record;
}

/** A new bundle ID's default capabilities. */
export function addDefaultCapabilities(account: Account, b: BundleIdRecord): void {
  for (const t of defaultCapabilities(b)) putCapability(account, b.id, t, []);
}

/** Removes a bundle ID's capabilities (the bundle ID is being deleted). */
export function removeCapabilitiesOf(account: Account, bundleIdId: string): void {
  for (const c of capabilitiesOf(account, bundleIdId)) account.capabilities.delete(c.id);
}

const DATA_PROTECTION_VALUES: Record<string, string> = {
  COMPLETE_PROTECTION: 'NSFileProtectionComplete',
  PROTECTED_UNLESS_OPEN: 'NSFileProtectionCompleteUnlessOpen',
  PROTECTED_UNTIL_FIRST_USER_AUTH: 'NSFileProtectionCompleteUntilFirstUserAuthentication',
};

function option(c: CapabilityRecord): string | undefined {
  return c.settings[0]?.options[0]?.key;
}

export interface EntitlementContext {
  teamId: string;
  /** Development and ad hoc profiles get the development push and ClassKit environments. */
  development: boolean;
  mac: boolean;
}

/**
 * The entitlements a profile of the bundle ID carries for each capability, in the broadest form Apple
 * writes them: wildcards where the portal grants "any", empty lists where identifiers must be associated
 * on the portal (App Groups, iCloud containers, merchant IDs), which the API cannot do.
 */
export function capabilityEntitlements(caps: readonly CapabilityRecord[], x: EntitlementContext): Record<string, PlistValue> {
  const out: Record<string, PlistValue> = {};
  const env = x.development ? 'development' : 'production';
  for (const c of caps) {
    switch (c.capabilityType) {
      case 'PUSH_NOTIFICATIONS':
        out[x.mac ? 'com.apple.developer.aps-environment' : 'aps-environment'] = env;
        break;
      case 'ICLOUD':
        out['com.apple.developer.icloud-container-identifiers'] = [];
        out['com.apple.developer.icloud-services'] = '*';
        out['com.apple.developer.ubiquity-container-identifiers'] = [];
        out['com.apple.developer.ubiquity-kvstore-identifier'] = `${x.teamId}.*`;
        break;
      case 'GAME_CENTER':
        out['com.apple.developer.game-center'] = true;
        break;
      case 'WALLET':
        out['com.apple.developer.pass-type-identifiers'] = [`${x.teamId}.*`];
        break;
      case 'INTER_APP_AUDIO':
        out['inter-app-audio'] = true;
        break;
      case 'ASSOCIATED_DOMAINS':
        out['com.apple.developer.associated-domains'] = '*';
        break;
      case 'PERSONAL_VPN':
        out['com.apple.developer.networking.vpn.api'] = ['allow-vpn'];
        break;
      case 'APP_GROUPS':
        out['com.apple.security.application-groups'] = [];
        break;
      case 'HEALTHKIT':
        out['com.apple.developer.healthkit'] = true;
        out['com.apple.developer.healthkit.access'] = ['health-records'];
        break;
      case 'HOMEKIT':
        out['com.apple.developer.homekit'] = true;
        break;
      case 'WIRELESS_ACCESSORY_CONFIGURATION':
        out['com.apple.external-accessory.wireless-configuration'] = true;
        break;
      case 'APPLE_PAY':
        out['com.apple.developer.in-app-payments'] = [];
        break;
      case 'DATA_PROTECTION':
        out['com.apple.developer.default-data-protection'] = DATA_PROTECTION_VALUES[option(c) ?? 'COMPLETE_PROTECTION'] ?? 'NSFileProtectionComplete';
        break;
      case 'SIRIKIT':
        out['com.apple.developer.siri'] = true;
        break;
      case 'NETWORK_EXTENSIONS':
        out['com.apple.developer.networking.networkextension'] = [
          'app-proxy-provider',
          'content-filter-provider',
          'packet-tunnel-provider',
          'dns-proxy',
          'dns-settings',
          'relay',
        ];
        break;
      case 'MULTIPATH':
        out['com.apple.developer.networking.multipath'] = true;
        break;
      case 'HOT_SPOT':
        out['com.apple.developer.networking.HotspotConfiguration'] = true;
        break;
      case 'NFC_TAG_READING':
        out['com.apple.developer.nfc.readersession.formats'] = ['NDEF', 'TAG'];
        break;
      case 'CLASSKIT':
        out['com.apple.developer.ClassKit-environment'] = env;
        break;
      case 'AUTOFILL_CREDENTIAL_PROVIDER':
        out['com.apple.developer.authentication-services.autofill-credential-provider'] = true;
        break;
      case 'ACCESS_WIFI_INFORMATION':
        out['com.apple.developer.networking.wifi-info'] = true;
        break;
      case 'NETWORK_CUSTOM_PROTOCOL':
        out['com.apple.developer.networking.custom-protocol'] = true;
        break;
      case 'COREMEDIA_HLS_LOW_LATENCY':
        out['com.apple.developer.coremedia.hls.low-latency'] = true;
        break;
      case 'SYSTEM_EXTENSION_INSTALL':
        out['com.apple.developer.system-extension.install'] = true;
        break;
      case 'USER_MANAGEMENT':
        out['com.apple.developer.user-management'] = ['get-current-user', 'runs-as-current-user'];
        break;
      case 'APPLE_ID_AUTH':
        out['com.apple.developer.applesignin'] = ['Default'];
        break;
      // IN_APP_PURCHASE and MAPS add no entitlement to the profile.
    }
  }
  return out;
}
