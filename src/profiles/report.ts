/** What ensure-profile and rotate-profile found or did per bundle ID: the plain result their outputs and summary are made from. */
import type { ProfileType } from '../apple/types.js';
import { reasonText, type ProfileDecision } from './plan.js';

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
