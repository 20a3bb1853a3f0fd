/** What download-certificate's main step leaves for its post step: paths only, never a secret. */
import type { StateStore } from './support/action-runner.js';

export const State = {
  /** JSON array of directories/files this step wrote that hold a private key. */
  CleanupPaths: 'cleanup-paths',
  /** The temporary keychain this step created (deleted by post). */
  CreatedKeychain: 'created-keychain',
  /** The random value in the marker file main wrote beside that keychain; post deletes nothing without it. */
  CreatedKeychainMarker: 'created-keychain-marker',
  /** The keychain this step put on the user's search list. */
  SearchListAdded: 'search-list-added',
  /** JSON array: the user's search list before this step changed it. */
  SearchListOriginal: 'search-list-original',
} as const;

export function readJsonList(state: StateStore, name: string): string[] {
  const raw = state.get(name);
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
