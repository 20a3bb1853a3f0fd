/**
 * What each entitlement key asks of the bundle ID (docs/ENTITLEMENTS.md; Apple's Entitlements reference,
 * developer.apple.com/documentation/bundleresources/entitlements): the capability type and setting the
 * API enables, the portal step the API cannot do (associating App Group, iCloud container and merchant
 * identifiers; capabilities with no API type), or nothing at all (keys every profile carries, and the
 * macOS sandbox and hardened-runtime keys). A key in none of these is reported as unknown, never dropped.
 */
import type { PlistValue } from '../core/plist.js';
import type { CapabilityOptionKey, CapabilitySettingKey, CapabilityType } from '../apple/capability-types.js';
import type { Entitlements } from './read.js';

/**
 * Enabled on new explicit App IDs without being asked for (facts: third-party observation), so
 * remove-unlisted leaves them alone and runs settle.
 */
export const DEFAULT_CAPABILITIES: ReadonlySet<CapabilityType> = new Set(['IN_APP_PURCHASE', 'GAME_CENTER']);

/** A setting asked for: `ICLOUD_VERSION=XCODE_6`. */
export interface CapabilitySetting {
  key: CapabilitySettingKey;
  option: CapabilityOptionKey;
}

/** A capability a bundle ID must have, with what asked for it. */
export interface WantedCapability {
  type: CapabilityType;
  settings: CapabilitySetting[];
  /** e.g. "aps-environment in App.entitlements", or "the capabilities input". */
  because: string[];
}

export const PORTAL_IDENTIFIERS = 'Certificates, Identifiers & Profiles > Identifiers (https://developer.apple.com/account/resources/identifiers/list)';

interface Rule {
  capability: CapabilityType;
  settings?: (value: PlistValue) => CapabilitySetting[];
  /** The portal step that remains once the capability is on (identifiers only the portal associates). */
  manual?: (value: PlistValue, identifier: string) => string | undefined;
}

function strings(v: PlistValue): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** At most this many values of a file are named in one sentence. */
const MAX_NAMED = 5;

/** A text from a file as a sentence shows it: control characters dropped, at most 100 characters. */
function shown(text: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to drop them
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return clean.length > 100 ? `${clean.slice(0, 99)}…` : clean;
}

/** `a, b, c and 7 more`: a bounded list of texts from a file. */
export function namedList(items: readonly string[]): string {
  const head = items.slice(0, MAX_NAMED).map(shown).join(', ');
  return items.length > MAX_NAMED ? `${head} and ${items.length - MAX_NAMED} more` : head;
}

function associate(what: string, section: string) {
  return (value: PlistValue, identifier: string): string | undefined => {
    const ids = strings(value).filter((s) => s !== '*' && !s.endsWith('.*'));
    if (ids.length === 0) return undefined;
    return `Associate the ${what} ${namedList(ids)} with ${identifier} on the portal (${PORTAL_IDENTIFIERS} > ${identifier} > ${section} > Edit; create any missing one under Identifiers first): the API cannot, and until then profiles do not grant them.`;
  };
}

const DATA_PROTECTION_LEVELS: Record<string, CapabilityOptionKey> = {
  NSFileProtectionComplete: 'COMPLETE_PROTECTION',
  NSFileProtectionCompleteUnlessOpen: 'PROTECTED_UNLESS_OPEN',
  NSFileProtectionCompleteUntilFirstUserAuthentication: 'PROTECTED_UNTIL_FIRST_USER_AUTH',
};

const ICLOUD: Rule = {
  capability: 'ICLOUD',
  // CloudKit needs the Xcode 6 flavour of iCloud; without it the version already set is left alone.
  settings: (v) => (strings(v).some((s) => s === 'CloudKit' || s === '*') ? [{ key: 'ICLOUD_VERSION', option: 'XCODE_6' }] : []),
};

/** Entitlement key -> what it asks of the bundle ID (facts table, Apple's Entitlements reference). */
export const ENTITLEMENT_RULES: Readonly<Record<string, Rule>> = {
  'aps-environment': { capability: 'PUSH_NOTIFICATIONS' },
  'com.apple.developer.aps-environment': { capability: 'PUSH_NOTIFICATIONS' },
  'com.apple.developer.associated-domains': { capability: 'ASSOCIATED_DOMAINS' },
  'com.apple.security.application-groups': { capability: 'APP_GROUPS', manual: associate('App Group(s)', 'App Groups') },
  'com.apple.developer.icloud-container-identifiers': { ...ICLOUD, settings: () => [], manual: associate('iCloud container(s)', 'iCloud') },
  'com.apple.developer.icloud-services': ICLOUD,
  'com.apple.developer.ubiquity-container-identifiers': { ...ICLOUD, settings: () => [], manual: associate('iCloud container(s)', 'iCloud') },
  'com.apple.developer.ubiquity-kvstore-identifier': { ...ICLOUD, settings: () => [] },
  'com.apple.developer.icloud-container-environment': { ...ICLOUD, settings: () => [] },
  'com.apple.developer.icloud-container-development-container-identifiers': { ...ICLOUD, settings: () => [] },
  'com.apple.developer.applesignin': { capability: 'APPLE_ID_AUTH', settings: () => [{ key: 'APPLE_ID_AUTH_APP_CONSENT', option: 'PRIMARY_APP_CONSENT' }] },
  'com.apple.developer.default-data-protection': {
    capability: 'DATA_PROTECTION',
    settings: (v) => {
      const level = typeof v === 'string' ? DATA_PROTECTION_LEVELS[v] : undefined;
      return level ? [{ key: 'DATA_PROTECTION_PERMISSION_LEVEL', option: level }] : [];
    },
  },
  'com.apple.developer.healthkit': { capability: 'HEALTHKIT' },
  'com.apple.developer.healthkit.access': { capability: 'HEALTHKIT' },
  'com.apple.developer.healthkit.background-delivery': { capability: 'HEALTHKIT' },
  'com.apple.developer.homekit': { capability: 'HOMEKIT' },
  'com.apple.developer.in-app-payments': { capability: 'APPLE_PAY', manual: associate('merchant ID(s)', 'Apple Pay Payment Processing') },
  'com.apple.developer.pass-type-identifiers': { capability: 'WALLET' },
  'com.apple.developer.siri': { capability: 'SIRIKIT' },
  'com.apple.developer.networking.networkextension': { capability: 'NETWORK_EXTENSIONS' },
  'com.apple.developer.networking.vpn.api': { capability: 'PERSONAL_VPN' },
  'com.apple.developer.networking.multipath': { capability: 'MULTIPATH' },
  'com.apple.developer.networking.HotspotConfiguration': { capability: 'HOT_SPOT' },
  'com.apple.developer.networking.wifi-info': { capability: 'ACCESS_WIFI_INFORMATION' },
  'com.apple.developer.nfc.readersession.formats': { capability: 'NFC_TAG_READING' },
  'com.apple.developer.ClassKit-environment': { capability: 'CLASSKIT' },
  'com.apple.developer.authentication-services.autofill-credential-provider': { capability: 'AUTOFILL_CREDENTIAL_PROVIDER' },
  'com.apple.developer.game-center': { capability: 'GAME_CENTER' },
  'inter-app-audio': { capability: 'INTER_APP_AUDIO' },
  'com.apple.external-accessory.wireless-configuration': { capability: 'WIRELESS_ACCESSORY_CONFIGURATION' },
  'com.apple.developer.system-extension.install': { capability: 'SYSTEM_EXTENSION_INSTALL' },
  'com.apple.developer.coremedia.hls.low-latency': { capability: 'COREMEDIA_HLS_LOW_LATENCY' },
  'com.apple.developer.networking.custom-protocol': { capability: 'NETWORK_CUSTOM_PROTOCOL' },
  'com.apple.developer.user-management': { capability: 'USER_MANAGEMENT' },
};

/** Capability types no entitlement key asks for: reachable through the `capabilities` input only. */
export const CAPABILITIES_WITHOUT_ENTITLEMENT: readonly CapabilityType[] = ['IN_APP_PURCHASE', 'MAPS'];

/** Keys whose capability exists only on the portal (no CapabilityType in either spec), with the portal's name for it. */
const PORTAL_ONLY: Readonly<Record<string, string>> = {
  'com.apple.developer.family-controls': 'Family Controls',
  'com.apple.developer.usernotifications.time-sensitive': 'Time Sensitive Notifications',
  'com.apple.developer.usernotifications.communication': 'Communication Notifications',
  'com.apple.developer.usernotifications.filtering': 'Notification Service Extension Filtering',
  'com.apple.developer.weatherkit': 'WeatherKit',
  'com.apple.developer.push-to-talk': 'Push to Talk',
  'com.apple.developer.shared-with-you': 'Shared with You',
  'com.apple.developer.group-session': 'Group Activities',
  'com.apple.developer.kernel.increased-memory-limit': 'Increased Memory Limit',
  'com.apple.developer.kernel.extended-virtual-addressing': 'Extended Virtual Address Space',
  'com.apple.developer.devicecheck.appattest-environment': 'App Attest',
  'com.apple.developer.matter.allow-setup-payload': 'Matter Allow Setup Payload',
  'com.apple.developer.fileprovider.testing-mode': 'FileProvider TestingMode',
  'com.apple.developer.contacts.notes': 'Contacts Notes',
  'com.apple.developer.exposure-notification': 'Exposure Notification',
  'com.apple.developer.on-demand-install-capable': 'On Demand Install Capable (App Clips)',
  'com.apple.developer.parent-application-identifiers': 'On Demand Install Capable (App Clips)',
  'com.apple.developer.associated-appclip-app-identifiers': 'App Clips',
  'com.apple.developer.mail-client': 'Default Mail App',
  'com.apple.developer.web-browser': 'Default Web Browser',
  'com.apple.developer.carplay-audio': 'CarPlay Audio',
  'com.apple.developer.carplay-communication': 'CarPlay Communication',
  'com.apple.developer.carplay-charging': 'CarPlay EV Charging',
  'com.apple.developer.carplay-maps': 'CarPlay Navigation',
  'com.apple.developer.carplay-parking': 'CarPlay Parking',
  'com.apple.developer.carplay-quick-ordering': 'CarPlay Quick Food Ordering',
  'com.apple.developer.networking.slicing.appcategory': '5G Network Slicing',
  'com.apple.developer.journal.allow': 'Journaling Suggestions',
  'com.apple.developer.sustained-execution': 'Sustained Execution',
  'com.apple.developer.media-device-discovery-extension': 'Media Device Discovery',
  'com.apple.developer.usernotifications.critical-alerts': 'Critical Alerts',
  'com.apple.developer.icloud-extended-share-access': 'iCloud Extended Share Access',
  'com.apple.developer.declared-age-range': 'Declared Age Range',
};

/** Keys every profile carries, or that sign into the binary with no capability: known, and silent. */
const NO_CAPABILITY = new Set([
  'application-identifier',
  'com.apple.application-identifier',
  'com.apple.developer.team-identifier',
  'keychain-access-groups',
  'get-task-allow',
  'beta-reports-active',
  'com.apple.developer.associated-domains.mdm-managed',
]);

/** Whether a key needs no capability: the fixed list, and macOS sandbox / hardened-runtime keys (`com.apple.security.*` but App Groups). */
function needsNoCapability(key: string): boolean {
  return NO_CAPABILITY.has(key) || (key.startsWith('com.apple.security.') && key !== 'com.apple.security.application-groups');
}

/** What one entitlements dictionary asks of a bundle ID. */
export interface Translation {
  capabilities: WantedCapability[];
  /** One sentence each, naming the portal page. */
  manualSteps: string[];
  /** Keys the suite does not know (a warning each). */
  unknownKeys: string[];
}

/** A capability asked for twice keeps every reason; settings asked later win for the same key. */
export function mergeWanted(into: WantedCapability[], add: WantedCapability): void {
  const have = into.find((w) => w.type === add.type);
  if (!have) {
    into.push({ type: add.type, settings: [...add.settings], because: [...add.because] });
    return;
  }
  for (const s of add.settings) {
    have.settings = [...have.settings.filter((x) => x.key !== s.key), s];
  }
  for (const b of add.because) if (!have.because.includes(b)) have.because.push(b);
}

/** Translates an entitlements dictionary (from `file`) for the bundle ID `identifier`. */
export function translateEntitlements(entitlements: Entitlements, file: string, identifier: string): Translation {
  const out: Translation = { capabilities: [], manualSteps: [], unknownKeys: [] };
  const base = file.split(/[\\/]/).pop() ?? file;
  for (const [key, value] of Object.entries(entitlements)) {
    if (value === false) continue; // a key set to false asks for nothing
    const rule = ENTITLEMENT_RULES[key];
    if (rule) {
      mergeWanted(out.capabilities, { type: rule.capability, settings: rule.settings?.(value) ?? [], because: [`${key} in ${base}`] });
      const step = rule.manual?.(value, identifier);
      if (step && !out.manualSteps.includes(step)) out.manualSteps.push(step);
    } else if (PORTAL_ONLY[key]) {
      const step = `Entitlement ${key} (in ${base}) needs the ${PORTAL_ONLY[key]} capability, which the API cannot enable: turn it on for ${identifier} on the portal (${PORTAL_IDENTIFIERS} > ${identifier} > Capabilities; some need Apple's approval first).`;
      if (!out.manualSteps.includes(step)) out.manualSteps.push(step);
    } else if (!needsNoCapability(key)) {
      out.unknownKeys.push(key);
    }
  }
  return out;
}

/** The capability an entitlement key needs through the API, if any (profiles check this against the bundle ID). */
export function capabilityFor(key: string): CapabilityType | undefined {
  return ENTITLEMENT_RULES[key]?.capability;
}
