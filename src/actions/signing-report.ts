/**
 * signing-report: what on the account needs attention (certificates by type with expiry and slots used;
 * profiles expired, INVALID, duplicated or expiring; devices PROCESSING or DISABLED), as a job summary,
 * annotations, counts and a JSON report. Never writes to Apple.
 */
import { tmpdir } from 'node:os';
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import { InputError } from '../core/errors.js';
import { formatDate } from '../profiles/plan.js';
import { signingReport, type SigningReport } from '../lifecycle/report.js';
import { bundleIdentifiers } from './support/bundle-id-inputs.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { integerInput, optionalString, type InputSource } from './support/inputs.js';
import type { SummaryTable } from './support/summary.js';

export interface SigningReportInputs {
  apple: AppleApiConfig;
  bundleIds: string[];
  warnDays: number;
  failDays: number | undefined;
}

function parseSigningReportInputs(src: InputSource): SigningReportInputs {
  const apple = readAppleApiInputs(src);
  const warnDays = integerInput(src, 'warn-days', 30, 0);
  const failDays = optionalString(src, 'fail-days') === undefined ? undefined : integerInput(src, 'fail-days', 0, 0);
  for (const [name, days] of [['warn-days', warnDays] as const, ['fail-days', failDays ?? 0] as const]) {
    if (days > 400)
      throw new InputError(name, `Input ${name} is ${days}, but it takes a whole number of days from 0 to 400 (certificates and profiles live about a year).`);
  }
  return { apple, bundleIds: bundleIdentifiers(src, false), warnDays, failDays };
}

function summary(r: SigningReport): SummaryTable[] {
  const scope = r.bundleIds.length > 0 ? ` (bundle ID ${r.bundleIds.join(', ')})` : '';
  const c = r.counts;
  return [
    {
      heading: `signing-report: what needs attention${scope}`,
      rows: [
        ['Urgency', 'Kind', 'Name', 'ID', 'Type', 'Problem', 'Expires', 'Fix'],
        ...r.findings.map((f) => [
          ['now', `within ${r.warnDays} days`, 'tidy', 'device'][f.urgency] ?? '',
          f.kind,
          f.name,
          f.id,
          f.type,
          f.detail,
          f.expirationDate ? formatDate(f.expirationDate) : '',
          f.action,
        ]),
      ],
      notes: [
        r.findings.length === 0
          ? `Nothing needs attention: no certificate or profile expires within ${r.warnDays} days, none is expired, INVALID or duplicated, and no device waits.`
          : `${c.expiring} expiring within ${r.warnDays} days, ${c.expired} expired, ${c.invalid} INVALID, ${c.duplicates} duplicate(s).`,
      ],
    },
    {
      heading: 'Certificates',
      rows: [
        ['Type', 'Name', 'ID', 'Serial', 'Expires', 'Days left', 'Status'],
        ...r.certificates.map((x) => [x.certificateType, x.name, x.id, x.serialNumber, formatDate(x.expirationDate), String(x.daysLeft ?? ''), x.status]),
      ],
    },
    {
      heading: 'Certificate slots used, by type',
      rows: [['Type', 'Current (each holds a slot)', 'Expired'], ...r.slots.map((s) => [s.certificateType, String(s.current), String(s.expired)])],
      notes: [
        'Apple caps current certificates per type (the cap differs by type and program, and the API does not say it); a create at the cap is refused until one expires or is revoked.',
      ],
    },
  ];
}

async function executeSigningReport(i: SigningReportInputs, ctx: RunContext): Promise<ActionResult> {
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const r = await signingReport(
    http,
    { bundleIds: i.bundleIds, warnDays: i.warnDays, failDays: i.failDays, dir: process.env['RUNNER_TEMP'] || tmpdir() },
    ctx.log,
    new Date(),
  );
  ctx.log.info(budgetLine(http));
  return {
    outputs: {
      report: JSON.stringify(r.report),
      'report-path': r.reportPath,
      expiring: r.report.counts.expiring,
      expired: r.report.counts.expired,
      invalid: r.report.counts.invalid,
      duplicates: r.report.counts.duplicates,
    },
    summary: summary(r.report),
    ...(r.failure ? { failure: r.failure } : {}),
  };
}

export const signingReportAction: ActionDefinition<SigningReportInputs> = {
  parse: parseSigningReportInputs,
  execute: executeSigningReport,
};
