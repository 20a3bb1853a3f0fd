/** The authenticated HTTP client for the Apple Business / School Manager API: the core client with OAuth. */
import type { Dispatcher } from 'undici';
import { AppleHttpClient } from '../core/http.js';
import type { EcPrivateKey } from '../core/keys.js';
import type { Mask } from '../core/log.js';
import type { Sleep } from '../core/retry.js';
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

export interface BusinessClientDeps {
  mask: Mask;
  log?: (line: string) => void;
  dispatcher?: Dispatcher;
  sleep?: Sleep;
}

export interface BusinessClient {
  http: AppleHttpClient;
  auth: BusinessTokenProvider;
}

export function createBusinessClient(cfg: BusinessApiConfig, deps: BusinessClientDeps): BusinessClient {
  const auth = new BusinessTokenProvider({
    tokenUrl: cfg.tokenUrl,
    clientId: cfg.clientId,
    keyId: cfg.keyId,
    key: cfg.privateKey.key,
    scope: cfg.scope,
    onSecret: deps.mask,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
  const http = new AppleHttpClient({
    baseUrl: cfg.baseUrl,
    auth,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
  return { http, auth };
}
