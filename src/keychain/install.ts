/**
 * Puts an identity into a keychain codesign can use, and takes it away again. Every change that the
 * post step must undo is reported through `remember` the moment it is made, so a failure half-way
 * still gets cleaned up.
 */
import path from 'node:path';
import { DEFAULT_TRUSTED_APPS, type SecurityTool } from './keychain.js';

export interface KeychainPlan {
  keychain: string;
  password: string;
  /** Create the keychain (it did not exist); the post step deletes what was created. */
  create: boolean;
  p12Path: string;
  p12Password: string;
  apps?: readonly string[];
}

/** What the post step needs; no secret. */
export interface KeychainState {
  /** The temporary keychain this step created (to delete), or ''. */
  createdKeychain: string;
  /** The random value in the marker file beside createdKeychain (keychain/temporary.ts). */
  createdKeychainMarker: string;
  /** The keychain this step put on the search list (to take off), or ''. */
  addedToSearchList: string;
  /** The search list before this step changed it. */
  originalSearchList: string[];
}

export async function installIdentity(
  security: SecurityTool,
  plan: KeychainPlan,
  remember: (state: Partial<KeychainState>) => void,
): Promise<{ searchList: string[] }> {
  if (plan.create) {
    await security.createKeychain(plan.keychain, plan.password);
    remember({ createdKeychain: plan.keychain });
    await security.setSettings(plan.keychain);
  }
  await security.unlock(plan.keychain, plan.password);
  await security.importPkcs12(plan.keychain, plan.p12Path, plan.p12Password, plan.apps ?? DEFAULT_TRUSTED_APPS);
  await security.setKeyPartitionList(plan.keychain, plan.password);
  const before = await security.searchList();
  if (before.some((k) => samePath(k, plan.keychain))) return { searchList: before };
  remember({ originalSearchList: before, addedToSearchList: plan.keychain });
  const after = [plan.keychain, ...before];
  await security.setSearchList(after);
  return { searchList: after };
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string): string => path.resolve(p).replace(/^\/private(?=\/(var|tmp)\/)/, '');
  return norm(a) === norm(b);
}

export interface RemovalReport {
  deleted: boolean;
  searchListRestored: boolean;
  problems: string[];
}

/**
 * Deletes the keychain this step created and takes its own entry off the search list, keeping every
 * other entry (including any a later step added). Never throws: a post step reports and moves on.
 */
export async function removeIdentity(security: SecurityTool, state: Omit<KeychainState, 'createdKeychainMarker'>): Promise<RemovalReport> {
  const report: RemovalReport = { deleted: false, searchListRestored: false, problems: [] };
  if (state.createdKeychain) {
    try {
      await security.deleteKeychain(state.createdKeychain);
      report.deleted = true;
    } catch (err) {
      report.problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  const ours = state.addedToSearchList || state.createdKeychain;
  if (ours) {
    try {
      const current = await security.searchList();
      const wanted = current.filter((k) => !samePath(k, ours));
      // delete-keychain usually drops the entry itself; set the list only when something is left to fix.
      const missing = state.originalSearchList.filter((k) => !wanted.some((w) => samePath(w, k)));
      const restored = missing.length > 0 ? [...wanted, ...missing] : wanted;
      if (restored.length !== current.length || restored.some((k, i) => k !== current[i])) await security.setSearchList(restored);
      report.searchListRestored = true;
    } catch (err) {
      report.problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return report;
}
