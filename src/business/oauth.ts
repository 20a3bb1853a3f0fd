/**
 * OAuth 2 client credentials with a JWT client assertion for the Apple Business API (docs/apple-facts.md 3.1).
 * A core `TokenProvider`, so the core AppleHttpClient sends the access token and calls `renew()` once
 * on a 401. The 1-hour access token is cached and renewed shortly before it expires. The token request
 * goes through the core transport: the same deadline, retries and budget as every other request.
 */
import type { KeyObject } from 'node:crypto';
import { AppleResponseError } from '../core/errors.js';
import type { TokenProvider } from '../core/http.js';
import { parseJson, Transport, type TransportOptions } from '../core/transport.js';
import { signClientAssertion } from './client-assertion.js';

export type BusinessScope = 'business.api' | 'school.api';

export interface BusinessOAuthOptions extends Omit<TransportOptions, 'input'> {
  tokenUrl: string;
  clientId: string;
  keyId: string;
  key: KeyObject;
  scope: BusinessScope;
  /** Called with the client assertion and the access token the moment each exists, to mask them. */
  onSecret: (secret: string) => void;
}

/** Apple's token endpoint refused the client; the message is the one sentence to show. */
export class BusinessAuthError extends Error {
  override readonly name = 'BusinessAuthError';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** Renew when less than this remains of the access token. */
const RENEW_MARGIN_SECONDS = 120;

interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export class BusinessTokenProvider implements TokenProvider {
  /** Access tokens obtained (for the run's report). */
  issued = 0;
  private current: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly now: () => number;
  private readonly transport: Transport;

  constructor(private readonly o: BusinessOAuthOptions) {
    this.now = o.now ?? Date.now;
    this.transport = new Transport({ ...o, input: 'token-url' });
  }

  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - this.now() > RENEW_MARGIN_SECONDS * 1000) return this.current.token;
    return this.renew();
  }

  /** Gets a new access token; concurrent callers share one request. */
  renew(): Promise<string> {
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const url = new URL(this.o.tokenUrl);
    const res = await this.transport.exchange({
      method: 'POST',
      url,
      // A token request changes nothing at Apple, so it is sent again whenever a retry may help.
      resend: true,
      prepare: async () => {
        // A fresh assertion (new jti) per attempt: Apple may refuse a reused one.
        const assertion = await signClientAssertion({ clientId: this.o.clientId, keyId: this.o.keyId, key: this.o.key, now: this.now });
        this.o.onSecret(assertion);
        const form = new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.o.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
          scope: this.o.scope,
        });
        return { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() };
      },
    });
    let body: TokenResponse;
    try {
      body = (parseJson(res.text, `POST ${url.pathname}`, this.transport.limits.maxJsonDepth) ?? {}) as TokenResponse;
    } catch (err) {
      if (!(err instanceof AppleResponseError)) throw err;
      body = {};
    }
    if (typeof body !== 'object' || body === null) body = {};
    if (res.status === 200 && typeof body.access_token === 'string' && body.access_token !== '') {
      const token = body.access_token;
      this.o.onSecret(token);
      const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
      this.current = { token, expiresAt: this.now() + seconds * 1000 };
      this.issued++;
      return token;
    }
    throw this.refusal(res.status, body, url);
  }

  private refusal(status: number, body: TokenResponse, url: URL): BusinessAuthError {
    const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
    const said = typeof body.error_description === 'string' ? ` ("${body.error_description}")` : '';
    const where = `${url.origin}${url.pathname}`;
    if (status === 200) {
      return new BusinessAuthError(status, 'no_token', `Apple's token endpoint ${where} answered without an access token; check token-url.`);
    }
    if (error === 'invalid_scope') {
      return new BusinessAuthError(
        status,
        error,
        `Apple's token endpoint refused scope ${this.o.scope} (${error})${said}; use school.api for an Apple School Manager account (client ID SCHOOLAPI.…) and business.api for Apple Business (BUSINESSAPI.…).`,
      );
    }
    if (error === 'invalid_client' || status === 400 || status === 401) {
      return new BusinessAuthError(
        status,
        error,
        `Apple's token endpoint ${where} refused the client assertion for client ${this.o.clientId}: ${status} ${error}${said}; check that client-id, key-id and private-key belong to the same API account in Apple Business (or Apple School Manager), that the account is not revoked, that scope matches it, and that token-url is Apple's token endpoint.`,
      );
    }
    return new BusinessAuthError(status, error, `Apple's token endpoint ${where} answered ${status} ${error}${said}; run the job again later.`);
  }
}
