/** What ensure-profile and rotate-profile report per bundle ID: outputs, the `profiles` JSON and summary rows. */
import type { ProfileType } from '../apple/types.js';
import { formatDate, reasonText, type ProfileDecision } from './plan.js';

export interface ProfileReport {
  bundleId: string;
  profileId: string;
  profileUuid: string;
  profileName: string;
  profileType: ProfileType;
  profilePath: string;
  expirationDate: string;
  teamId: string;
  created: boolean;
  /** keep, create or recreate (with dry-run: what would be done). */
  decision: ProfileDecision['action'];
  reason: string;
  /** rotate-profile: the UUID of the profile it replaced ('' when there was none). */
  previousUuid?: string;
  /** Not part of the JSON: the profile bytes, base64. */
  content: string;
  /** Every path the profile was installed at. */
  paths: string[];
}

export function reportFor(d: ProfileDecision, profileType: ProfileType): ProfileReport {
  return {
    bundleId: d.identifier,
    profileId: '',
    profileUuid: '',
    profileName: d.name,
    profileType,
    profilePath: '',
    expirationDate: '',
    teamId: '',
    created: false,
    decision: d.action,
    reason: reasonText(d),
    content: '',
    paths: [],
  };
}

/** The `profiles` output: one object per bundle ID, camelCase, without the bytes. */
export function profilesJson(reports: readonly ProfileReport[]): string {
  return JSON.stringify(reports.map(({ content: _content, paths: _paths, ...rest }) => rest));
}

export function outputsFor(reports: readonly ProfileReport[], rotate: boolean): Record<string, string | boolean> {
  const first = reports[0];
  const out: Record<string, string | boolean> = {
    'profile-id': first?.profileId ?? '',
    'profile-uuid': first?.profileUuid ?? '',
    'profile-name': first?.profileName ?? '',
    'profile-type': first?.profileType ?? '',
    'profile-path': first?.profilePath ?? '',
    'expiration-date': first?.expirationDate ?? '',
    'team-id': first?.teamId ?? '',
    created: first?.created ?? false,
    decision: first?.decision ?? '',
    'profile-base64': first?.content ?? '',
    profiles: profilesJson(reports),
  };
  if (rotate) out['previous-uuid'] = first?.previousUuid ?? '';
  return out;
}

const VERB: Record<ProfileDecision['action'], [string, string]> = {
  keep: ['kept', 'would keep'],
  create: ['created', 'would create'],
  recreate: ['recreated', 'would recreate'],
};

export function summaryRows(reports: readonly ProfileReport[], dryRun: boolean): string[][] {
  return [
    ['Bundle ID', 'Profile', 'Decision', 'Reason', 'UUID', 'Expires'],
    ...reports.map((r) => [
      r.bundleId,
      r.profileName,
      VERB[r.decision][dryRun ? 1 : 0],
      r.reason,
      r.profileUuid,
      r.expirationDate ? formatDate(r.expirationDate) : '',
    ]),
  ];
}
