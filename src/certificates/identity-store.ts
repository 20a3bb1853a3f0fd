/**
 * The identity store: a certificate made by create-if-missing, with its private key, sealed with the
 * user's passphrase and kept in the Actions cache, so the next fresh runner reuses it instead of asking
 * Apple for another (Apple caps current certificates per type). @actions/cache is imported only here,
 * and only when the store is used and the cache service is there.
 *
 * Anyone who can run a workflow in the repository, pull requests from forks included, can read its
 * cache, and anyone who can write the default branch's cache scope can plant entries. So the cache key
 * is derived from the passphrase too (passphraseTag): without it an entry can be neither found nor
 * planted where this store looks, and only entries under that key are ever restored.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { passphraseTag, SealedFormatError, seal, unseal, WrongPassphraseError } from './identity-crypto.js';

/** The narrow part of @actions/cache the store needs. */
export interface CachePort {
  /**
   * Restores `paths` from the newest entry whose key starts with `key` (the service matches a key
   * exactly, then as a prefix); no restore keys. Returns the key that matched, or undefined on a miss.
   */
  restore(paths: string[], key: string): Promise<string | undefined>;
  /** Saves `paths` under `key`; false when the cache refused (already exists, service error). */
  save(paths: string[], key: string): Promise<boolean>;
}

/** Whether the runner gave this step a cache service (cheap: no import). */
function cacheServiceConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['ACTIONS_CACHE_SERVICE_V2'] ? env['ACTIONS_RESULTS_URL'] : env['ACTIONS_CACHE_URL'] || env['ACTIONS_RESULTS_URL']);
}

/** @actions/cache behind the port, or undefined where the cache service is not available. */
export async function actionsCachePort(): Promise<CachePort | undefined> {
  if (!cacheServiceConfigured()) return undefined;
  const cache = await import('@actions/cache');
  if (!cache.isFeatureAvailable()) return undefined;
  return {
    restore: (paths, key) => cache.restoreCache(paths, key, []),
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

/**
 * The cache key prefix of a scope under a passphrase: `apple-signing-identity-v2-<tag>-`, where the tag
 * is an HMAC of the scope under a scrypt key of the passphrase. Entries are saved as the prefix plus
 * the certificate ID, and only keys with this prefix are ever looked up, newest first.
 */
export async function storeKeyPrefix(scope: StoreScope, passphrase: string): Promise<string> {
  const tag = await passphraseTag(passphrase, `apple-signing-identity-store\n${scope.api}\n${scope.account}`, scope.certificateType);
  return `apple-signing-identity-v2-${tag}-`;
}

export type LoadResult =
  | { kind: 'restored'; identity: StoredIdentity; key: string }
  | { kind: 'miss' }
  /** The entry is there (under this passphrase's key) but is not a sealed identity this version opens. */
  | { kind: 'unreadable'; key: string; reason: string };

function isStoredIdentity(v: unknown): v is StoredIdentity {
  const o = v as Record<string, unknown> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    ['certificateId', 'certificateType', 'privateKeyPem', 'certificateContent', 'savedAt'].every((k) => typeof o[k] === 'string')
  );
}

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

  /** The prefix is costly (scrypt), so it is derived once per scope and passphrase. */
  private readonly prefixes = new Map<string, Promise<string>>();

  private prefix(scope: StoreScope, passphrase: string): Promise<string> {
    const id = JSON.stringify([scope.api, scope.account, scope.certificateType, passphrase]);
    let p = this.prefixes.get(id);
    if (!p) this.prefixes.set(id, (p = storeKeyPrefix(scope, passphrase)));
    return p;
  }

  async load(scope: StoreScope, passphrase: string): Promise<LoadResult> {
    await rm(this.dir, { recursive: true, force: true });
    const prefix = await this.prefix(scope, passphrase);
    try {
      const key = await this.cache.restore([STORE_PATH], prefix);
      if (!key) return { kind: 'miss' };
      // Only what this store saves: the prefix and a certificate ID, nothing else.
      if (!key.startsWith(prefix) || !/^[A-Za-z0-9]+$/.test(key.slice(prefix.length))) return { kind: 'miss' };
      const sealed = await readFile(this.file).catch(() => undefined);
      if (!sealed) return { kind: 'unreadable', key, reason: 'the cache entry holds no sealed identity' };
      let plain: Buffer;
      try {
        plain = await unseal(sealed, passphrase);
      } catch (err) {
        if (err instanceof SealedFormatError) return { kind: 'unreadable', key, reason: err.message };
        // The passphrase named this entry, so a file it does not open was changed after sealing.
        if (err instanceof WrongPassphraseError)
          return { kind: 'unreadable', key, reason: 'the passphrase does not open it, so it was changed after it was saved' };
        throw err;
      }
      let identity: unknown;
      try {
        identity = JSON.parse(plain.toString('utf8'));
      } catch {
        identity = undefined;
      }
      if (!isStoredIdentity(identity)) return { kind: 'unreadable', key, reason: 'the sealed data is not a saved identity' };
      return { kind: 'restored', identity, key };
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Seals and saves; returns the cache key, or undefined when the cache did not take it. */
  async save(scope: StoreScope, identity: StoredIdentity, passphrase: string): Promise<string | undefined> {
    await mkdir(this.dir, { recursive: true });
    const key = `${await this.prefix(scope, passphrase)}${identity.certificateId}`;
    await writeFile(this.file, await seal(Buffer.from(JSON.stringify(identity)), passphrase), { mode: 0o600 });
    try {
      return (await this.cache.save([STORE_PATH], key)) ? key : undefined;
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
