/** The authenticated HTTP client for the Apple Business / School Manager API: the core client with OAuth. */
import { AppleHttpClient, type ClientDeps } from '../core/http.js';
import type { EcPrivateKey } from '../core/keys.js';
import { businessAdvice } from './errors.js';
import { BusinessTokenProvider, type BusinessScope } from './oauth.js';

export const DEFAULT_BUSINESS_BASE_URL = 'https://api-business.apple.com';
export const DEFAULT_SCHOOL_BASE_URL = 'https://api-school.apple.com';
export const DEFAULT_TOKEN_URL = 'https://account.apple.com/auth/oauth2/token';

export interface BusinessApiConfig {
  clientId: string;
  keyId: string;
  privateKey: EcPrivateKey;
  scope: BusinessScope;
  /** Origin without `/v1`. */
  baseUrl: string;
  tokenUrl: string;
}

export interface BusinessClient {
  http: AppleHttpClient;
  auth: BusinessTokenProvider;
}

export function createBusinessClient(cfg: BusinessApiConfig, deps: ClientDeps): BusinessClient {
  const auth = new BusinessTokenProvider({
    ...deps,
    tokenUrl: cfg.tokenUrl,
    clientId: cfg.clientId,
    keyId: cfg.keyId,
    key: cfg.privateKey.key,
    scope: cfg.scope,
    onSecret: deps.mask,
  });
  const http = new AppleHttpClient({ ...deps, baseUrl: cfg.baseUrl, auth, advise: businessAdvice });
  return { http, auth };
}
