/**
 * provision (the root action): optionally register devices and (with entitlements) make the bundle IDs
 * carry the capabilities they need, then the signing identity, then the profile built on exactly that
 * certificate, in one step. It composes the single actions' own
 * parsing and logic; nothing here is a second implementation of them.
 */
import { describeError } from '../core/errors.js';
import { profileTypeInfo } from '../profiles/profile-types.js';
import { certificateTypeToCreate } from '../profiles/certificates.js';
import { executeDownloadCertificate, parseDownloadCertificateInputs, type DownloadCertificateInputs } from './download-certificate.js';
import { executeEnsureBundleId, parseEnsureBundleIdInputs, type EnsureBundleIdInputs } from './ensure-bundle-id.js';
import { parseProfileInputs, runProfileAction, type ProfileInputs } from './ensure-profile.js';
import { executeRegisterDevices, parseRegisterDevicesInputs, type RegisterDevicesInputs } from './register-devices.js';
import type { ActionDefinition, ActionResult, OutputValue, RunContext } from './support/action-runner.js';
import { APPLE_API_INPUTS } from './support/apple-inputs.js';
import { optionalString, type InputSource } from './support/inputs.js';
import { summaryTables, type SummaryTable } from './support/summary.js';

export interface ProvisionInputs {
  devices: RegisterDevicesInputs | undefined;
  /** With entitlements: the bundle-ID step that runs first. */
  bundleIds: EnsureBundleIdInputs | undefined;
  certificate: DownloadCertificateInputs;
  profile: ProfileInputs;
}

/** A view of the inputs where some empty ones take a value derived from the others. */
function withFallbacks(src: InputSource, fallbacks: Record<string, string>): InputSource {
  return { get: (name) => (src.get(name).trim() === '' ? (fallbacks[name] ?? src.get(name)) : src.get(name)), mask: src.mask };
}

/**
 * What the bundle-ID step sees: the API inputs, bundle-id and entitlements; a new bundle ID takes the
 * platform of the profile type (provision's own platform input is the devices'), and nothing else.
 */
function bundleIdStepInputs(src: InputSource, profile: ProfileInputs): InputSource {
  const passed = new Set<string>([...APPLE_API_INPUTS, 'bundle-id', 'entitlements']);
  const platform = profile.profileType.startsWith('MAC_APP_') ? 'MAC_OS' : 'IOS';
  return { get: (name) => (name === 'platform' ? platform : passed.has(name) ? src.get(name) : ''), mask: src.mask };
}

export function parseProvisionInputs(src: InputSource): ProvisionInputs {
  // export-options is on by default here (off in ensure-profile and rotate-profile).
  const profile = parseProfileInputs(withFallbacks(src, { 'export-options': 'true' }));
  // The certificate type that fits the profile type, by the same rule as ensure-profile's missing-certificate
  // error (DEVELOPMENT for development profiles); certificate-type still picks any other.
  const fitting = certificateTypeToCreate(profileTypeInfo(profile.profileType), profile.apple.api);
  const certificate = parseDownloadCertificateInputs(withFallbacks(src, { 'certificate-type': fitting }));
  const wantsDevices = optionalString(src, 'devices') !== undefined || optionalString(src, 'devices-file') !== undefined;
  const bundleIds = optionalString(src, 'entitlements') !== undefined ? parseEnsureBundleIdInputs(bundleIdStepInputs(src, profile)) : undefined;
  return { devices: wantsDevices ? parseRegisterDevicesInputs(src) : undefined, bundleIds, certificate, profile };
}

/** The outputs of the bundle-ID step that provision passes on. */
const BUNDLE_ID_OUTPUTS = new Set(['bundle-ids', 'manual-steps']);
/** Outputs both single actions have; in provision the profile's keep the plain name. */
const CERTIFICATE_RENAMES: Record<string, string> = { created: 'certificate-created', 'expiration-date': 'certificate-expiration-date' };
/** register-devices' dry-run outputs: provision has no dry run. */
const NOT_PROVISION_OUTPUTS = new Set(['would-register', 'would-enable']);

async function executeProvision(i: ProvisionInputs, ctx: RunContext): Promise<ActionResult> {
  const failures: string[] = [];
  const outputs: Record<string, OutputValue> = {};
  const summaries: SummaryTable[] = [];
  const result = (): ActionResult => ({ outputs, summary: summaries, ...(failures.length > 0 ? { failure: failures.join(' Also: ') } : {}) });

  if (i.devices) {
    const devices = await executeRegisterDevices(i.devices, ctx);
    for (const [name, value] of Object.entries(devices.outputs)) if (!NOT_PROVISION_OUTPUTS.has(name)) outputs[name] = value;
    summaries.push(...summaryTables(devices));
    // A bad device line must not hold up the release: it fails the step at the end, after signing.
    if (devices.failure) failures.push(devices.failure);
  }

  try {
    if (i.bundleIds) {
      const bundles = await executeEnsureBundleId(i.bundleIds, ctx);
      for (const [name, value] of Object.entries(bundles.outputs)) if (BUNDLE_ID_OUTPUTS.has(name)) outputs[name] = value;
      summaries.push(...summaryTables(bundles));
    }
    const certificate = await executeDownloadCertificate(i.certificate, ctx);
    for (const [name, value] of Object.entries(certificate.outputs)) outputs[CERTIFICATE_RENAMES[name] ?? name] = value;
    summaries.push(...summaryTables(certificate));
    if (certificate.failure) {
      failures.push(certificate.failure);
      return result();
    }
    const certificateId = String(certificate.outputs['certificate-id']);
    ctx.log.info(`Building the profile on certificate ${certificateId}, the identity just installed.`);
    const known = { sha1: String(certificate.outputs['sha1']), commonName: String(certificate.outputs['signing-identity']) };
    const profile = await runProfileAction({ ...i.profile, certificateIds: [certificateId] }, ctx, false, known);
    Object.assign(outputs, profile.outputs);
    summaries.push(...summaryTables(profile));
    if (profile.failure) failures.push(profile.failure);
  } catch (err) {
    // Keep what the earlier parts did (their outputs, summary and failures) and say what stopped it.
    if (failures.length === 0 && summaries.length === 0) throw err;
    failures.unshift(describeError(err));
  }
  return result();
}

export const provision: ActionDefinition<ProvisionInputs> = {
  parse: parseProvisionInputs,
  execute: executeProvision,
};
