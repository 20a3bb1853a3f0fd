/**
 * Which Xcode the export will run on: given (`xcode-version`), read from `xcodebuild -version` where an
 * `xcodebuild` is on PATH (macOS runners), or unknown. Only the export method names depend on it: Xcode
 * 15.3 renamed `app-store`, `ad-hoc` and `development` to `app-store-connect`, `release-testing` and
 * `debugging` (`xcodebuild -help` of Xcode 15.3+ lists the old names as deprecated).
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../core/log.js';
import { findOnPath } from '../keychain/keychain.js';

export interface XcodeVersion {
  major: number;
  minor: number;
  /** As written, e.g. "15.3" or "16.0.1". */
  text: string;
}

/** "15", "15.3", "16.0.1", or the first line of `xcodebuild -version` ("Xcode 15.4"); undefined otherwise. */
export function parseXcodeVersion(text: string): XcodeVersion | undefined {
  const m = /^\s*(?:Xcode\s+)?(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?\s*$/.exec(text.split(/\r?\n/)[0] ?? '');
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return { major, minor, text: [m[1], m[2], m[3]].filter((p) => p !== undefined).join('.') };
}

/** Xcode 15.3 and later take app-store-connect, release-testing and debugging; older ones the previous names. */
export function hasCurrentMethodNames(v: XcodeVersion | undefined): boolean {
  return !v || v.major > 15 || (v.major === 15 && v.minor >= 3);
}

/**
 * `xcodebuild -version` of the Xcode on PATH, or undefined when there is none or it does not answer
 * within 20 seconds (macOS's /usr/bin/xcodebuild stub without Xcode exits non-zero).
 */
export async function detectXcodeVersion(log: Logger, pathVar: string = process.env['PATH'] ?? ''): Promise<XcodeVersion | undefined> {
  const bin = await findOnPath('xcodebuild', pathVar);
  if (!bin) return undefined;
  const out = await new Promise<string | undefined>((resolve) => {
    execFile(bin, ['-version'], { timeout: 20_000, maxBuffer: 64 * 1024 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
  const v = out === undefined ? undefined : parseXcodeVersion(out);
  log.info(
    v
      ? `Export method names for Xcode ${v.text} (from ${bin} -version).`
      : `${bin} -version gave no Xcode version; writing the current export method names (set xcode-version for an older Xcode).`,
  );
  return v;
}
