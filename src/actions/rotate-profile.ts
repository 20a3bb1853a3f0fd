/**
 * rotate-profile: always a fresh profile per bundle ID, holding every ENABLED device of the platform
 * (device-bound types) and the valid certificates; the old one is deleted on Apple and its installed
 * file removed. Same inputs and outputs as ensure-profile, plus previous-uuid.
 */
import type { ActionDefinition } from './support/action-runner.js';
import { parseProfileInputs, runProfileAction, type ProfileInputs } from './ensure-profile.js';

export const rotateProfile: ActionDefinition<ProfileInputs> = {
  parse: parseProfileInputs,
  execute: (i, ctx) => runProfileAction(i, ctx, true),
};
