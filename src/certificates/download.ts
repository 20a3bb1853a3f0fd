/**
 * The download-certificate workflow: find (or, when asked, create) the certificate that pairs with a
 * given key, restore or save it through the identity store, write the .cer and .p12, and import the
 * identity into a keychain. Returns plain results; what the post step must undo is handed to `remember`
 * the moment it exists.
 */
import { randomBytes } from 'node:crypto';
import type { ApiKind } from '../apple/api.js';
import type { CertificateType } from '../apple/types.js';
import { describeError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import { maskSecret, type Logger, type Mask } from '../core/log.js';
import { importIntoKeychain } from '../keychain/import.js';
import type { KeychainState } from '../keychain/install.js';
import { makeIdentityDir, writeIdentityFiles } from './identity-files.js';
import { resolveIdentity, type IdentitySource, type ResolvedIdentity } from './identity-resolve.js';
import { actionsCachePort, IdentityStore } from './identity-store.js';
import { revokeCertificate } from './revoke.js';
import { daysLeft } from './match.js';
import type { SigningKey } from './signing-key.js';

/** Warn when the certificate expires sooner than this. */
const EXPIRY_WARNING_DAYS = 30;

/** What the user chooses for one download (the action's inputs, minus the API and the keys). */
export interface DownloadOptions {
  certificateType: CertificateType | undefined;
  certificateId: string | undefined;
  createIfMissing: boolean;
  /** Create a successor when the certificate in use expires within this many days (0 = never); needs the identity store. */
  renewDays: number;
  /** Revoke this certificate before anything else. */
  revokeCertificateId: string | undefined;
  forceRevoke: boolean;
  keychain: string | undefined;
  keychainPassword: string | undefined;
  importMode: 'auto' | 'true' | 'false';
  identityPassphrase: string | undefined;
}

export interface DownloadRequest extends DownloadOptions {
  api: ApiKind;
  /** Who the identity store files an identity under: the issuer ID (team keys), else the key ID. */
  account: string;
  /** Private keys given by the user (signing-key, or the keys inside p12), already masked. */
  keys: { key: SigningKey; source: 'signing-key' | 'p12' }[];
  /** The password of a given p12, reused for the p12 this step writes. */
  p12Password: string | undefined;
  /** Where key files and a temporary keychain go (RUNNER_TEMP on a runner). */
  runnerTemp: string;
  /** The workspace the identity store's cache path is relative to. */
  workspace: string;
}

/** What the post step must undo, reported as soon as it exists (paths only, never a secret). */
export interface CleanupHooks {
  wroteKeyFiles(dir: string): void;
  changedKeychain(s: Partial<KeychainState>): void;
}

export interface DownloadResult {
  identity: ResolvedIdentity;
  certificateType: CertificateType;
  created: boolean;
  certificatePath: string;
  p12Path: string;
  p12Password: string;
  /** The written p12 as base64, only when the certificate was created (the user must store it). */
  p12Base64: string;
  keychainPath: string;
  /** renew-days: the certificate the created one succeeds. */
  previousCertificateId: string;
  /** Set when the step must fail after handing out a created identity (e.g. the keychain import failed). */
  failure?: string;
}

export const SOURCE_TEXT: Record<IdentitySource, string> = {
  'signing-key': 'matched signing-key',
  p12: 'matched the key in p12',
  'identity-store': 'restored from the identity store',
  created: 'created by this run',
};

export async function downloadCertificate(
  http: AppleHttpClient,
  i: DownloadRequest,
  deps: { log: Logger; mask: Mask; cleanup: CleanupHooks; now: Date },
): Promise<DownloadResult> {
  const { log, mask, now } = deps;
  let store: IdentityStore | undefined;
  if (i.identityPassphrase && i.keys.length > 0) log.info('identity-passphrase is not used: the identity store serves runs that give no signing-key or p12.');
  if (i.identityPassphrase && i.keys.length === 0) {
    const port = await actionsCachePort();
    if (port) store = new IdentityStore(port, i.workspace);
    else log.info('The Actions cache service is not available here (outside GitHub Actions), so the identity store is not used.');
  }
  if (i.revokeCertificateId) {
    await log.group('Revoke', () => revokeCertificate(http, { api: i.api, certificateId: i.revokeCertificateId ?? '', force: i.forceRevoke, now }, log));
  }
  if (i.renewDays > 0 && !store) {
    log.warning(
      'renew-days needs the identity store (the Actions cache service), which is not available here, so the certificate is not renewed in this run.',
      'Not renewed',
    );
  }
  const scope = { api: i.api, account: i.account };
  const resolved: ResolvedIdentity = await log.group('Certificate', () =>
    resolveIdentity(
      http,
      {
        certificateType: i.certificateType,
        certificateId: i.certificateId,
        keys: i.keys,
        createIfMissing: i.createIfMissing,
        renewDays: i.renewDays,
        store: store && i.identityPassphrase ? { store, scope, passphrase: i.identityPassphrase } : undefined,
        now,
      },
      log,
    ),
  );
  const { candidate: c, key } = resolved;
  maskSecret(mask, key.pem);
  const created = resolved.source === 'created';
  const certificateType = (c.cert.attributes?.certificateType ?? i.certificateType ?? '') as CertificateType;

  if (created && i.identityPassphrase) {
    if (store) {
      const identity = {
        certificateId: c.cert.id,
        certificateType,
        privateKeyPem: key.pem,
        certificateContent: c.info.der.toString('base64'),
        savedAt: now.toISOString(),
      };
      // Never let the store cost the new identity: a failure here is a warning, the outputs still come.
      const saved = await store.save({ ...scope, certificateType }, identity, i.identityPassphrase).catch((err: unknown) => {
        log.warning(
          `The new identity could not be saved in the Actions cache (${describeError(err)}); store p12-base64 and p12-password as secrets instead.`,
          'Identity not saved',
        );
        return null;
      });
      if (saved) log.info(`Saved the new identity, encrypted with identity-passphrase, in the Actions cache (${saved}).`);
      else if (saved === undefined) log.info('The Actions cache did not take the new identity; store p12-base64 and p12-password as secrets instead.');
    } else if (i.keys.length === 0) {
      log.info('The new identity was not saved (no Actions cache here); store p12-base64 and p12-password as secrets to reuse it.');
    }
  }

  // Files: the directory is reported for cleanup before any key material is written to it.
  const dir = await makeIdentityDir(i.runnerTemp);
  deps.cleanup.wroteKeyFiles(dir);
  const p12Password = i.p12Password || randomBytes(24).toString('base64url');
  mask(p12Password);
  const files = await writeIdentityFiles(dir, {
    privateKeyPem: key.pem,
    certificateDer: c.info.der,
    p12Password,
    name: c.info.commonName,
    serialNumber: c.info.serialNumber,
  });
  const p12Base64 = created ? files.p12.toString('base64') : '';
  if (p12Base64) mask(p12Base64);
  log.info(`Wrote ${files.certificatePath} and ${files.p12Path}.`);

  let keychainPath = '';
  let failure: string | undefined;
  try {
    keychainPath = await importIntoKeychain(
      {
        mode: i.importMode,
        keychain: i.keychain,
        keychainPassword: i.keychainPassword,
        p12Path: files.p12Path,
        p12Password,
        runnerTemp: i.runnerTemp,
        installer: certificateType.includes('INSTALLER'),
      },
      { log, mask, remember: (k) => deps.cleanup.changedKeychain(k) },
    );
  } catch (err) {
    if (!created) throw err;
    // The new key exists nowhere else: hand it out before failing, or the certificate is lost to Apple's cap.
    failure = `${describeError(err).replace(/\.$/, '')}; certificate ${c.cert.id} was created by this run and its identity is in the p12-base64 and p12-password outputs, so store them as secrets before running again (or revoke it).`;
  }

  const previous = resolved.previous;
  if (previous) {
    log.warning(
      `Certificate "${previous.info.commonName}" (${previous.cert.id}) expires on ${previous.info.notAfter.toISOString().slice(0, 10)}, within renew-days (${i.renewDays}): created its successor ${c.cert.id} with a new key${store ? ' and saved it in the identity store, where later runs find it' : ''}; the old certificate stays valid until it expires. Any secret still holding the old key or p12 is now stale: replace it with p12-base64 and p12-password, or drop it and rely on the identity store.`,
      'Certificate renewed',
    );
  }
  const days = daysLeft(c.info, now);
  if (days < EXPIRY_WARNING_DAYS) {
    log.warning(
      `Certificate "${c.info.commonName}" (${c.cert.id}) expires on ${c.info.notAfter.toISOString().slice(0, 10)}, in ${days} day(s); create its successor (create-if-missing with a new key) and update the secrets before then.`,
      'Certificate expires soon',
    );
  }
  return {
    identity: resolved,
    certificateType,
    created,
    certificatePath: files.certificatePath,
    p12Path: files.p12Path,
    p12Password,
    p12Base64,
    keychainPath,
    previousCertificateId: previous?.cert.id ?? '',
    ...(failure ? { failure } : {}),
  };
}
