/** Builds the authenticated HTTP client for the App Store Connect or Enterprise Program API. */
import { AUDIENCE, type ApiKind } from './api.js';
import { appStoreConnectAdvice } from './errors.js';
import { AppleHttpClient, type ClientDeps } from '../core/http.js';
import type { EcPrivateKey } from '../core/keys.js';
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

export function createAppleClient(cfg: AppleApiConfig, deps: ClientDeps): AppleHttpClient {
  const auth = new AppleJwtProvider({
    keyId: cfg.keyId,
    issuerId: cfg.issuerId,
    key: cfg.privateKey.key,
    audience: AUDIENCE[cfg.api],
    onToken: deps.mask,
  });
  return new AppleHttpClient({ ...deps, baseUrl: cfg.baseUrl, auth, advise: appStoreConnectAdvice });
}
