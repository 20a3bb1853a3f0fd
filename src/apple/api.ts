import type { KeyDescription } from '../core/keys.js';

/** Which Apple API a client talks to, and how it authenticates to it. */
export type ApiKind = 'app-store-connect' | 'enterprise';

export const API_KINDS: readonly ApiKind[] = ['app-store-connect', 'enterprise'];

export const DEFAULT_BASE_URL: Record<ApiKind, string> = {
  'app-store-connect': 'https://api.appstoreconnect.apple.com',
  enterprise: 'https://api.enterprise.developer.apple.com',
};

export const AUDIENCE: Record<ApiKind, string> = {
  'app-store-connect': 'appstoreconnect-v1',
  enterprise: 'apple-developer-enterprise-v1',
};

/** How messages speak of an App Store Connect / Enterprise Program API key. */
export const API_KEY: KeyDescription = {
  input: 'private-key',
  file: 'the AuthKey_XXXXXXXXXX.p8 file',
  extension: '.p8',
  download: 'the AuthKey_XXXXXXXXXX.p8 downloaded from Users and Access > Integrations',
  kind: 'Apple API keys',
};
