/**
 * The ExportOptions.plist for `xcodebuild -exportArchive`, built from plain data: the export method in the
 * names of the Xcode in use, manual signing with the team, certificate and one profile per bundle ID, and
 * the user's extra keys. Written deterministically (keys sorted, no dates), so two runs with the same
 * profiles give the same bytes.
 */
import { buildPlist, type PlistValue } from '../core/plist.js';
import type { ProfileType } from '../apple/types.js';
import { InputError } from '../core/errors.js';
import type { SigningIdentity } from './signing-identity.js';
import { hasCurrentMethodNames, type XcodeVersion } from './xcode-version.js';

/** The export methods of Xcode 15.3 and later. */
type ExportMethod = 'app-store-connect' | 'release-testing' | 'enterprise' | 'debugging' | 'developer-id';

/** Every profile type's method (a Record, so a new profile type does not compile until it has one). */
const METHOD: Readonly<Record<ProfileType, ExportMethod>> = {
  IOS_APP_DEVELOPMENT: 'debugging',
  IOS_APP_STORE: 'app-store-connect',
  IOS_APP_ADHOC: 'release-testing',
  IOS_APP_INHOUSE: 'enterprise',
  MAC_APP_DEVELOPMENT: 'debugging',
  MAC_APP_STORE: 'app-store-connect',
  MAC_APP_DIRECT: 'developer-id',
  TVOS_APP_DEVELOPMENT: 'debugging',
  TVOS_APP_STORE: 'app-store-connect',
  TVOS_APP_ADHOC: 'release-testing',
  TVOS_APP_INHOUSE: 'enterprise',
  MAC_CATALYST_APP_DEVELOPMENT: 'debugging',
  MAC_CATALYST_APP_STORE: 'app-store-connect',
  MAC_CATALYST_APP_DIRECT: 'developer-id',
};

/** The names before Xcode 15.3 (still accepted, as deprecated, by later versions). */
const BEFORE_15_3: Partial<Record<ExportMethod, string>> = { 'app-store-connect': 'app-store', 'release-testing': 'ad-hoc', debugging: 'development' };

function exportMethodOf(type: ProfileType): ExportMethod {
  return METHOD[type];
}

/** The method as the given Xcode spells it (the current names when the version is unknown). */
export function exportMethodName(type: ProfileType, xcode: XcodeVersion | undefined): string {
  const method = METHOD[type];
  return hasCurrentMethodNames(xcode) ? method : (BEFORE_15_3[method] ?? method);
}

/** The keys `xcodebuild -help` lists for an export options plist (Xcode 15 and 16). */
export const EXPORT_OPTION_KEYS: readonly string[] = [
  'compileBitcode',
  'destination',
  'distributionBundleIdentifier',
  'embedOnDemandResourcesAssetPacksInBundle',
  'generateAppStoreInformation',
  'iCloudContainerEnvironment',
  'installerSigningCertificate',
  'manageAppVersionAndBuildNumber',
  'manifest',
  'method',
  'onDemandResourcesAssetPacksBaseURL',
  'provisioningProfiles',
  'signingCertificate',
  'signingStyle',
  'stripSwiftSymbols',
  'teamID',
  'testFlightInternalTestingOnly',
  'thinning',
  'uploadBitcode',
  'uploadSymbols',
];

/** Characters XML 1.0 cannot carry, so no plist can hold them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function plistValue(v: unknown, at: string): PlistValue {
  const bad = (what: string): InputError =>
    new InputError(
      'export-options-extra',
      `Input export-options-extra has ${what} at ${at}, which a plist cannot hold; give strings, numbers, booleans, arrays or objects.`,
    );
  if (typeof v === 'string') {
    if (NOT_XML.test(v)) throw bad('a control character');
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v === null) throw bad('null');
  if (Array.isArray(v)) return v.map((x, i) => plistValue(x, `${at}[${i}]`));
  if (typeof v === 'object') {
    const out: Record<string, PlistValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (NOT_XML.test(k)) throw bad('a key with a control character');
      out[k] = plistValue(x, `${at}.${k}`);
    }
    return out;
  }
  throw bad(typeof v);
}

/** `export-options-extra`: a JSON object whose top-level keys are export options; '' is none. */
export function parseExportOptionsExtra(text: string): Record<string, PlistValue> {
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(
      'export-options-extra',
      'Input export-options-extra is not valid JSON; give a JSON object of export options such as {"uploadSymbols": false, "manageAppVersionAndBuildNumber": false}.',
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(
      'export-options-extra',
      'Input export-options-extra is JSON but not an object; give a JSON object of export options such as {"uploadSymbols": false}.',
    );
  }
  const unknown = Object.keys(json).filter((k) => !EXPORT_OPTION_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new InputError(
      'export-options-extra',
      `Input export-options-extra has ${unknown.map((k) => `'${k}'`).join(', ')}, which xcodebuild -exportArchive does not know; the keys are ${EXPORT_OPTION_KEYS.join(', ')}.`,
    );
  }
  return plistValue(json, 'the top level') as Record<string, PlistValue>;
}

/** What the export needs to know, as plain data. */
export interface ExportSigning {
  profileType: ProfileType;
  teamId: string;
  identity: SigningIdentity;
  /** One per bundle ID; `iCloudEnvironments` when the profile grants iCloud (its allowed container environments, possibly none listed). */
  profiles: readonly { bundleId: string; profileName: string; iCloudEnvironments?: readonly string[] }[];
}

/**
 * iCloudContainerEnvironment: Development for development signing, Production otherwise (Xcode's own
 * defaults), or the one environment the profile allows when it allows only the other.
 */
function iCloudEnvironment(s: ExportSigning): string | undefined {
  const granted = s.profiles.filter((p) => p.iCloudEnvironments !== undefined);
  if (granted.length === 0) return undefined;
  const want = exportMethodOf(s.profileType) === 'debugging' ? 'Development' : 'Production';
  const allowed = granted.flatMap((p) => p.iCloudEnvironments ?? []);
  return allowed.length === 0 || allowed.includes(want) ? want : allowed[0];
}

/** The export options dictionary: ours, then `extra` on top (top-level keys replaced). */
export function exportOptions(s: ExportSigning, xcode: XcodeVersion | undefined, extra: Readonly<Record<string, PlistValue>> = {}): Record<string, PlistValue> {
  const icloud = iCloudEnvironment(s);
  return {
    method: exportMethodName(s.profileType, xcode),
    signingStyle: 'manual',
    teamID: s.teamId,
    signingCertificate: s.identity.certificate?.sha1 ?? s.identity.selector,
    provisioningProfiles: Object.fromEntries(s.profiles.map((p) => [p.bundleId, p.profileName])),
    ...(icloud ? { iCloudContainerEnvironment: icloud } : {}),
    ...extra,
  };
}

function sorted(v: PlistValue): PlistValue {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, PlistValue>)[k] as PlistValue)]),
    );
  }
  return v;
}

/** The XML plist text: keys sorted at every level, ending in a newline. */
export function exportOptionsPlist(dict: Readonly<Record<string, PlistValue>>): string {
  return buildPlist(sorted(dict as Record<string, PlistValue>));
}
