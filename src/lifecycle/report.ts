/**
 * The signing-report workflow: read the account (three requests for up to 200 of each kind), judge it,
 * and say what needs attention, most urgent first, each with the step that fixes it. It never writes to
 * Apple. `fail-days` fails only on what is in use (a valid certificate; a profile that is valid and the
 * newest of its name); leftovers already expired are reported, never failed on.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProfileWithRelations } from '../apple/profiles.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { formatDate } from '../profiles/plan.js';
import { forBundleIds, profileRow, readAccount, type ProfileRow } from './account.js';
import { judgeCertificates, judgeProfiles, slotUse, waitingDevices, type CertificateJudgement, type ProfileJudgement, type SlotUse } from './findings.js';

export interface SigningReportRequest {
  /** Only profiles of these bundle identifiers (exact), and the certificates they hold; [] = the whole account. */
  bundleIds: string[];
  warnDays: number;
  /** undefined: never fail. */
  failDays: number | undefined;
  /** Where report-path is written. */
  dir: string;
}

type FindingProblem = 'invalid' | 'expiring' | 'certificate-expiring' | 'expired' | 'duplicate' | 'processing' | 'disabled';

/** One row of what needs attention. */
interface Finding {
  kind: 'certificate' | 'profile' | 'device';
  id: string;
  name: string;
  /** certificateType, profileType, or the device's platform. */
  type: string;
  problem: FindingProblem;
  detail: string;
  /** ISO 8601, '' for devices. */
  expirationDate: string;
  /** Whole days left (negative once past); null for devices. */
  daysLeft: number | null;
  inUse: boolean;
  /** 0: builds signing with it fail now; 1: expires within warn-days; 2: a leftover to tidy; 3: a device. */
  urgency: 0 | 1 | 2 | 3;
  /** The step that fixes it. */
  action: string;
}

export interface SigningReport {
  generatedAt: string;
  warnDays: number;
  failDays: number | null;
  bundleIds: string[];
  counts: { expiring: number; expired: number; invalid: number; duplicates: number };
  findings: Finding[];
  certificates: {
    id: string;
    name: string;
    certificateType: string;
    serialNumber: string;
    expirationDate: string;
    daysLeft: number | null;
    status: CertificateJudgement['status'];
  }[];
  slots: SlotUse[];
  profiles: (ProfileRow & { daysLeft: number | null; inUse: boolean; certificateIds: string[]; problems: string[] })[];
}

export interface SigningReportResult {
  report: SigningReport;
  reportPath: string;
  /** One sentence when fail-days was crossed. */
  failure?: string;
}

const whole = (days: number | undefined): number | null => (days === undefined ? null : Math.floor(days));

/** Most urgent first; within a rank, what expires soonest. */
function byUrgency(a: Finding, b: Finding): number {
  return a.urgency - b.urgency || (a.daysLeft ?? Infinity) - (b.daysLeft ?? Infinity) || a.name.localeCompare(b.name);
}

function certificateFinding(j: CertificateJudgement, warnDays: number): Finding | undefined {
  if (j.status === 'valid') return undefined;
  const c = j.certificate;
  const a = c.attributes;
  const expiring = j.status === 'expiring';
  return {
    kind: 'certificate',
    id: c.id,
    name: a?.name ?? a?.displayName ?? c.id,
    type: a?.certificateType ?? '',
    problem: expiring ? 'expiring' : 'expired',
    detail: expiring
      ? `expires on ${formatDate(a?.expirationDate)}, in ${whole(j.daysLeft)} day(s)`
      : a?.activated === false
        ? 'deactivated'
        : `expired on ${formatDate(a?.expirationDate)}`,
    expirationDate: a?.expirationDate ?? '',
    daysLeft: whole(j.daysLeft),
    inUse: expiring,
    urgency: expiring ? 1 : 2,
    action: expiring
      ? `Create its successor before then: download-certificate or provision with renew-days: ${warnDays} (with create-if-missing and identity-passphrase); ensure-profile then moves its profiles to the successor.`
      : 'None needed: it holds no slot any more; profiles that held it are INVALID or expired, and prune-profiles deletes them.',
  };
}

function profileFinding(j: ProfileJudgement, keeperOf: (name: string) => ProfileWithRelations | undefined, warnDays: number): Finding | undefined {
  const first = j.problems[0];
  if (!first) return undefined;
  const p = j.item.profile;
  const a = p.attributes;
  const name = a?.name ?? p.id;
  const keeper = keeperOf(name);
  const actions: Record<typeof first.problem, string> = {
    expired: `prune-profiles deletes it${keeper ? '' : '; ensure-profile makes a new one if the app still needs it'}.`,
    invalid: keeper
      ? `prune-profiles deletes it; the newest valid profile of the name (${keeper.profile.id}) stays.`
      : 'ensure-profile recreates it (builds signing with it fail now); prune-profiles deletes it if it is no longer needed.',
    duplicate: `prune-profiles deletes it; the newest valid profile of the name (${keeper?.profile.id ?? 'none'}) stays.`,
    expiring: first.certificate
      ? `Renew certificate ${first.certificate.id} first (renew-days on download-certificate or provision): a profile cannot outlive it; ensure-profile then moves the profile to the successor.`
      : `ensure-profile with min-days-valid: ${warnDays} recreates it.`,
    'certificate-expiring': `Renew certificate ${first.certificate?.id ?? ''} (renew-days on download-certificate or provision); ensure-profile then moves the profile to the successor.`,
  };
  return {
    kind: 'profile',
    id: p.id,
    name,
    type: a?.profileType ?? '',
    problem: first.problem,
    detail: `${j.item.bundleId?.attributes?.identifier ?? 'unknown bundle ID'}: ${j.problems.map((x) => x.text).join('; ')}`,
    expirationDate: a?.expirationDate ?? '',
    daysLeft: whole(j.daysLeft),
    inUse: j.inUse,
    urgency: first.problem === 'invalid' && !keeper ? 0 : first.problem === 'expiring' || first.problem === 'certificate-expiring' ? 1 : 2,
    action: actions[first.problem],
  };
}

export async function signingReport(http: AppleHttpClient, i: SigningReportRequest, log: Logger, now: Date): Promise<SigningReportResult> {
  const account = await readAccount(http);
  const judged = judgeProfiles(account.profiles, { now, warnDays: i.warnDays }).filter((j) => forBundleIds(j.item, i.bundleIds));
  const held = new Set(judged.flatMap((j) => j.item.certificates.map((c) => c.id)));
  const certificates = i.bundleIds.length === 0 ? account.certificates : account.certificates.filter((c) => held.has(c.id));
  const certs = judgeCertificates(certificates, { now, warnDays: i.warnDays });
  const keeperOf = (name: string): ProfileWithRelations | undefined => judged.find((j) => j.inUse && j.item.profile.attributes?.name === name)?.item;

  const findings: Finding[] = [
    ...certs.map((j) => certificateFinding(j, i.warnDays)),
    ...judged.map((j) => profileFinding(j, keeperOf, i.warnDays)),
    ...waitingDevices(account.devices).map((d): Finding => ({
      kind: 'device',
      id: d.id,
      name: d.attributes?.name ?? d.id,
      type: d.attributes?.platform ?? '',
      problem: d.attributes?.status === 'PROCESSING' ? 'processing' : 'disabled',
      detail: `${d.attributes?.udid ?? ''} is ${d.attributes?.status ?? ''}, so new profiles leave it out`,
      expirationDate: '',
      daysLeft: null,
      inUse: false,
      urgency: 3,
      action:
        d.attributes?.status === 'PROCESSING'
          ? 'Wait: Apple enables it within 24 to 72 hours of registration; ensure-profile adds it to device-bound profiles then.'
          : 'Enable it if it is still used (register-devices with enable-disabled: true, listing it); otherwise nothing: it stays out of profiles.',
    })),
  ]
    .filter((f): f is Finding => f !== undefined)
    .sort(byUrgency);

  const count = (kind: Finding['kind'], ...problems: FindingProblem[]): number =>
    findings.filter((f) => f.kind === kind && problems.includes(f.problem)).length;
  const report: SigningReport = {
    generatedAt: now.toISOString(),
    warnDays: i.warnDays,
    failDays: i.failDays ?? null,
    bundleIds: i.bundleIds,
    counts: {
      expiring: count('certificate', 'expiring') + count('profile', 'expiring', 'certificate-expiring'),
      expired: count('certificate', 'expired') + count('profile', 'expired'),
      invalid: count('profile', 'invalid'),
      duplicates: count('profile', 'duplicate'),
    },
    findings,
    certificates: certs
      .map((j) => ({
        id: j.certificate.id,
        name: j.certificate.attributes?.name ?? '',
        certificateType: j.certificate.attributes?.certificateType ?? '',
        serialNumber: j.certificate.attributes?.serialNumber ?? '',
        expirationDate: j.certificate.attributes?.expirationDate ?? '',
        daysLeft: whole(j.daysLeft),
        status: j.status,
      }))
      .sort((a, b) => a.certificateType.localeCompare(b.certificateType) || a.expirationDate.localeCompare(b.expirationDate)),
    slots: slotUse(account.certificates, now),
    profiles: judged.map((j) => ({
      ...profileRow(j.item),
      daysLeft: whole(j.daysLeft),
      inUse: j.inUse,
      certificateIds: j.item.certificates.map((c) => c.id),
      problems: j.problems.map((x) => x.problem),
    })),
  };

  const reportPath = path.join(i.dir, 'signing-report.json');
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  log.info(
    `Read ${account.certificates.length} certificate(s), ${account.profiles.length} profile(s) and ${account.devices.length} device(s); ${findings.length} need attention. Wrote ${reportPath}.`,
  );
  annotate(findings, log);

  const failing =
    i.failDays === undefined
      ? []
      : [
          ...certs
            .filter((j) => j.status !== 'expired' && (j.daysLeft ?? 0) < (i.failDays ?? 0))
            .map((j) => `certificate ${j.certificate.attributes?.name ?? ''} (${j.certificate.id}, ${formatDate(j.certificate.attributes?.expirationDate)})`),
          ...judged
            .filter((j) => j.inUse && (j.daysLeft ?? 0) < (i.failDays ?? 0))
            .map((j) => `profile '${j.item.profile.attributes?.name ?? ''}' (${j.item.profile.id}, ${formatDate(j.item.profile.attributes?.expirationDate)})`),
        ];
  const failure =
    failing.length > 0
      ? `${failing.length} certificate(s) or profile(s) in use expire within fail-days (${i.failDays ?? 0} days): ${failing.join(', ')}; renew them (see the job summary for the step that fixes each) or lower fail-days.`
      : undefined;
  return { report, reportPath, ...(failure ? { failure } : {}) };
}

/** At most this many annotations; the rest are in the summary and the JSON report. */
const MAX_ANNOTATIONS = 10;

function annotate(findings: readonly Finding[], log: Logger): void {
  for (const f of findings.slice(0, MAX_ANNOTATIONS)) {
    const text = `${f.kind} ${f.name} (${f.id}): ${f.detail}. ${f.action}`;
    if (f.problem === 'invalid' || f.problem === 'expiring' || f.problem === 'certificate-expiring') log.warning(text, `Signing: ${f.kind} ${f.problem}`);
    else log.notice(text, `Signing: ${f.kind} ${f.problem}`);
  }
  if (findings.length > MAX_ANNOTATIONS)
    log.notice(`${findings.length - MAX_ANNOTATIONS} more finding(s) are in the job summary and the JSON report.`, 'Signing report');
}
