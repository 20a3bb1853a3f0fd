/**
 * The identity store: a certificate made by create-if-missing, with its private key, sealed with the
 * user's passphrase and kept in the Actions cache, so the next fresh runner reuses it instead of asking
 * Apple for another (Apple caps current certificates per type). @actions/cache is imported only here,
 * and only when the store is used and the cache service is there.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SealedFormatError, seal, unseal, WrongPassphraseError } from './identity-crypto.js';

/** The narrow part of @actions/cache the store needs. */
export interface CachePort {
  /** Restores `paths`; returns the key that matched, or undefined on a miss. */
  restore(paths: string[], primaryKey: string, restoreKeys: string[]): Promise<string | undefined>;
  /** Saves `paths` under `key`; false when the cache refused (already exists, service error). */
  save(paths: string[], key: string): Promise<boolean>;
}

/** Whether the runner gave this step a cache service (cheap: no import). */
export function cacheServiceConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['ACTIONS_CACHE_SERVICE_V2'] ? env['ACTIONS_RESULTS_URL'] : env['ACTIONS_CACHE_URL'] || env['ACTIONS_RESULTS_URL']);
}

/** @actions/cache behind the port, or undefined where the cache service is not available. */
export async function actionsCachePort(): Promise<CachePort | undefined> {
  if (!cacheServiceConfigured()) return undefined;
  const cache = await import('@actions/cache');
  if (!cache.isFeatureAvailable()) return undefined;
  return {
    restore: (paths, primaryKey, restoreKeys) => cache.restoreCache(paths, primaryKey, restoreKeys),
    save: async (paths, key) => (await cache.saveCache(paths, key)) !== -1,
  };
}

export interface StoredIdentity {
  certificateId: string;
  certificateType: string;
  /** PKCS#8 PEM. A secret. */
  privateKeyPem: string;
  /** Base64 DER. */
  certificateContent: string;
  savedAt: string;
}

export interface StoreScope {
  api: string;
  /** The team (its issuer id). Not secret. */
  account: string;
  certificateType: string;
}

/**
 * Where the sealed identity lives while the cache moves it, relative to the workspace. The cache version
 * hashes the path string as given, so a relative path is what lets a Linux job and a macOS job (whose
 * RUNNER_TEMP and HOME differ) share the entry; a miss would mean another certificate.
 */
export const STORE_PATH = '.apple-signing-identity-store/identity.sealed.json';

/** The cache key prefix for a scope: no secret in it, only a hash of the account. */
export function storeKeyPrefix(scope: StoreScope): string {
  const h = createHash('sha256').update(`${scope.api}\n${scope.account}`).digest('hex').slice(0, 16);
  return `apple-signing-identity-v1-${h}-${scope.certificateType}-`;
}

export type LoadResult =
  | { kind: 'restored'; identity: StoredIdentity; key: string }
  | { kind: 'miss' }
  /** The entry is there but the passphrase does not open it. */
  | { kind: 'wrong-passphrase'; key: string }
  /** The entry is there but is not a sealed identity this version reads. */
  | { kind: 'unreadable'; key: string; reason: string };

export class IdentityStore {
  constructor(
    private readonly cache: CachePort,
    /** The directory @actions/cache resolves paths against: GITHUB_WORKSPACE, else the working directory. */
    private readonly workspace: string,
  ) {}

  get file(): string {
    return path.resolve(this.workspace, STORE_PATH);
  }

  private get dir(): string {
    return path.dirname(this.file);
  }

  async load(scope: StoreScope, passphrase: string): Promise<LoadResult> {
    await rm(this.file, { force: true });
    const prefix = storeKeyPrefix(scope);
    const key = await this.cache.restore([STORE_PATH], `${prefix}latest`, [prefix]);
    let sealed: Buffer | undefined;
    try {
      sealed = key ? await readFile(this.file) : undefined;
    } catch {
      sealed = undefined;
    }
    try {
      if (!key || !sealed) return { kind: 'miss' };
      const identity = JSON.parse((await unseal(sealed, passphrase)).toString('utf8')) as StoredIdentity;
      return { kind: 'restored', identity, key };
    } catch (err) {
      if (err instanceof WrongPassphraseError && key) return { kind: 'wrong-passphrase', key };
      if (err instanceof SealedFormatError && key) return { kind: 'unreadable', key, reason: err.message };
      if (err instanceof SyntaxError && key) return { kind: 'unreadable', key, reason: 'the saved identity is not valid JSON' };
      throw err;
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Seals and saves; returns the cache key, or undefined when the cache did not take it. */
  async save(scope: StoreScope, identity: StoredIdentity, passphrase: string): Promise<string | undefined> {
    await mkdir(this.dir, { recursive: true });
    const key = `${storeKeyPrefix(scope)}${identity.certificateId}`;
    await writeFile(this.file, await seal(Buffer.from(JSON.stringify(identity)), passphrase), { mode: 0o600 });
    try {
      return (await this.cache.save([STORE_PATH], key)) ? key : undefined;
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
