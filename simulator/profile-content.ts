// The .mobileprovision bytes: an XML plist (docs/apple-facts.md §4 keys) wrapped in CMS SignedData signed by the sim CA.
import { build, type PlistValue } from 'plist';
import { signCms, type SimCa } from './ca.js';
import { capabilityEntitlements } from './capabilities.js';
import { DAY_MS } from './ids.js';
import type { ProfileTypeInfo } from './signing-types.js';
import type { CapabilityRecord } from './types.js';

export interface ProfileContentInput {
  ca: SimCa;
  teamId: string;
  teamName: string;
  name: string;
  uuid: string;
  appIdName: string;
  identifier: string;
  seedId: string;
  typeInfo: ProfileTypeInfo;
  createdDate: Date;
  expirationDate: Date;
  /** DER bytes of each certificate. */
  certificates: Buffer[];
  udids: string[];
  /** The bundle ID's capabilities when the profile is made. */
  capabilities: readonly CapabilityRecord[];
}

function buildProfilePlist(p: ProfileContentInput): string {
  const mac = p.typeInfo.plistPlatform.includes('OSX');
  const appId = `${p.seedId}.${p.identifier}`;
  const entitlements: Record<string, PlistValue> = {
    [mac ? 'com.apple.application-identifier' : 'application-identifier']: appId,
    'com.apple.developer.team-identifier': p.teamId,
    'keychain-access-groups': [`${p.seedId}.*`],
  };
  if (!mac) entitlements['get-task-allow'] = p.typeInfo.development;
  Object.assign(entitlements, capabilityEntitlements(p.capabilities, { teamId: p.teamId, development: p.typeInfo.development, mac }));
  const dict: Record<string, PlistValue> = {
    AppIDName: p.appIdName,
    ApplicationIdentifierPrefix: [p.seedId],
    CreationDate: p.createdDate,
    Platform: p.typeInfo.plistPlatform,
    IsXcodeManaged: false,
    DeveloperCertificates: p.certificates.map((der) => new Uint8Array(der)),
    Entitlements: entitlements,
    ExpirationDate: p.expirationDate,
    Name: p.name,
    TeamIdentifier: [p.teamId],
    TeamName: p.teamName,
    TimeToLive: Math.max(0, Math.round((p.expirationDate.getTime() - p.createdDate.getTime()) / DAY_MS)),
    UUID: p.uuid,
    Version: 1,
  };
  if (p.typeInfo.devicePlatform !== null) dict['ProvisionedDevices'] = p.udids;
  if (p.typeInfo.provisionsAllDevices) dict['ProvisionsAllDevices'] = true;
  return build(dict);
}

/** Base64 of the DER CMS SignedData holding the plist. */
export function buildProfileContent(p: ProfileContentInput): string {
  const plist = buildProfilePlist(p);
  return signCms(p.ca, Buffer.from(plist, 'utf8'), p.createdDate).toString('base64');
}
