/**
 * Hands the step's signing over to xcodebuild: an ExportOptions.plist and a .xcconfig, written into a
 * new folder of their own (under RUNNER_TEMP on a runner), from the profiles the step converged. What
 * the export needs is read from the profiles themselves (team, certificates, iCloud entitlements), so
 * ensure-profile and rotate-profile know it as well as provision. When the profiles cannot be exported
 * as they are, it says why in a warning and writes nothing; it never fails the step.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlistValue } from '../core/plist.js';
import type { ProfileType } from '../apple/types.js';
import type { Logger } from '../core/log.js';
import { readCertificate } from '../certificates/match.js';
import { profileDict } from '../profiles/install.js';
import { exportOptions, exportOptionsPlist } from './export-options.js';
import { resolveSigningIdentity, type CertificateName } from './signing-identity.js';
import { signingXcconfig, XcconfigValueError } from './xcconfig.js';
import type { XcodeVersion } from './xcode-version.js';

export interface HandOverRequest {
  profileType: ProfileType;
  /** One per bundle ID: the profile's name and its bytes (base64), as the step reports them. */
  profiles: readonly { bundleId: string; profileName: string; content: string }[];
  /** The certificate the step installed (provision), when it knows it. */
  known: CertificateName | undefined;
  xcode: XcodeVersion | undefined;
  extra: Readonly<Record<string, PlistValue>>;
  /** The folder to write under (a new subfolder is made in it). */
  parentDir: string;
}

export interface HandOverResult {
  /** '' when nothing could be written. */
  exportOptionsPath: string;
  xcconfigPath: string;
}

const ICLOUD_KEYS = [
  'com.apple.developer.icloud-services',
  'com.apple.developer.icloud-container-identifiers',
  'com.apple.developer.icloud-container-environment',
];

interface ProfileFacts {
  teamId: string | undefined;
  certificates: CertificateName[];
  /** Present when the profile grants iCloud: the container environments it allows (maybe none listed). */
  iCloudEnvironments: string[] | undefined;
}

function strings(v: PlistValue | undefined): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function readFacts(content: string): ProfileFacts {
  const dict = profileDict(Buffer.from(content, 'base64'));
  const team = strings(dict['TeamIdentifier'])[0];
  const certs = Array.isArray(dict['DeveloperCertificates']) ? dict['DeveloperCertificates'] : [];
  const certificates: CertificateName[] = [];
  for (const c of certs) {
    if (!(c instanceof Uint8Array)) continue;
    try {
      const info = readCertificate(Buffer.from(c));
      certificates.push({ sha1: info.sha1, commonName: info.commonName });
    } catch {
      // Not a certificate: it cannot be the one to sign with.
    }
  }
  const ent = dict['Entitlements'];
  const entitlements: Record<string, PlistValue> =
    ent && typeof ent === 'object' && !Array.isArray(ent) && !(ent instanceof Date) && !(ent instanceof Uint8Array) ? ent : {};
  const grantsICloud = ICLOUD_KEYS.some((k) => entitlements[k] !== undefined);
  return {
    teamId: team,
    certificates,
    iCloudEnvironments: grantsICloud ? strings(entitlements['com.apple.developer.icloud-container-environment']) : undefined,
  };
}

function problemOf(r: HandOverRequest, facts: readonly ProfileFacts[]): string | undefined {
  const wildcard = r.profiles.find((p) => p.bundleId.includes('*'));
  if (wildcard) return `bundle ID '${wildcard.bundleId}' is a wildcard, and export options name each app's explicit bundle ID`;
  const teams = new Set(facts.map((f) => f.teamId ?? ''));
  if (teams.has('') || teams.size !== 1) return 'the profiles do not name one team';
  return undefined;
}

export async function handOverToXcode(r: HandOverRequest, log: Logger): Promise<HandOverResult> {
  const none: HandOverResult = { exportOptionsPath: '', xcconfigPath: '' };
  const facts = r.profiles.map((p) => readFacts(p.content));
  const identity = resolveSigningIdentity(
    r.profileType,
    facts.map((f) => f.certificates),
    r.known,
  );
  const problem = problemOf(r, facts) ?? ('problem' in identity ? identity.problem : undefined);
  if (problem || 'problem' in identity) {
    log.warning(`No ExportOptions.plist or .xcconfig was written: ${problem ?? ''}; export-options-path and xcconfig-path are empty.`, 'Cannot export');
    return none;
  }
  const teamId = facts[0]?.teamId ?? '';
  const profiles = r.profiles.map((p, n) => ({
    bundleId: p.bundleId,
    profileName: p.profileName,
    ...(facts[n]?.iCloudEnvironments ? { iCloudEnvironments: facts[n].iCloudEnvironments } : {}),
  }));
  const dir = await mkdtemp(path.join(r.parentDir, 'apple-signing-xcode-'));
  const exportOptionsPath = path.join(dir, 'ExportOptions.plist');
  await writeFile(exportOptionsPath, exportOptionsPlist(exportOptions({ profileType: r.profileType, teamId, identity, profiles }, r.xcode, r.extra)), {
    mode: 0o644,
  });
  log.info(`Wrote ${exportOptionsPath}.`);
  let text: string;
  try {
    text = signingXcconfig({ profileType: r.profileType, teamId, identity: identity.certificate?.commonName ?? identity.selector, profiles });
  } catch (err) {
    if (!(err instanceof XcconfigValueError)) throw err;
    log.warning(`No .xcconfig was written: ${err.message}; xcconfig-path is empty (the ExportOptions.plist was written).`, 'Cannot write xcconfig');
    return { exportOptionsPath, xcconfigPath: '' };
  }
  const xcconfigPath = path.join(dir, 'Signing.xcconfig');
  await writeFile(xcconfigPath, text, { mode: 0o644 });
  log.info(`Wrote ${xcconfigPath}.`);
  return { exportOptionsPath, xcconfigPath };
}
