/** Builds the authenticated HTTP client for the App Store Connect or Enterprise Program API. */
import type { Dispatcher } from 'undici';
import { AUDIENCE, type ApiKind } from './api.js';
import { AppleHttpClient } from '../core/http.js';
import type { EcPrivateKey } from '../core/keys.js';
import type { Mask } from '../core/log.js';
import type { Sleep } from '../core/retry.js';
import { AppleJwtProvider } from './tokens.js';

export interface AppleApiConfig {
  api: ApiKind;
  /** Origin without `/v1`. */
  baseUrl: string;
  keyId: string;
  /** The team key's issuer ID (a UUID). */
  issuerId: string;
  privateKey: EcPrivateKey;
}

export interface ClientDeps {
  mask: Mask;
  log?: (line: string) => void;
  dispatcher?: Dispatcher;
  sleep?: Sleep;
}

export function createAppleClient(cfg: AppleApiConfig, deps: ClientDeps): AppleHttpClient {
  const auth = new AppleJwtProvider({
    keyId: cfg.keyId,
    issuerId: cfg.issuerId,
    key: cfg.privateKey.key,
    audience: AUDIENCE[cfg.api],
    onToken: deps.mask,
  });
  return new AppleHttpClient({
    baseUrl: cfg.baseUrl,
    auth,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
}
