// The Apple Business token endpoint (docs/apple-facts.md §3.1): verifies the client assertion for real (signature
// against the account's public key, kid, aud, iss = sub = client ID, exp < 180 days, jti never reused)
// and issues opaque access tokens that last an hour.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { BusinessAccount, BusinessScope } from './types.js';

const CLIENT_ASSERTION_AUDIENCE = 'https://account.apple.com/auth/oauth2/v2/token';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_S = 180 * 24 * 60 * 60;
const MAX_IAT_SKEW_S = 60;

interface Registered {
  account: BusinessAccount;
  publicKey: KeyObject;
}

interface IssuedToken {
  clientId: string;
  scope: BusinessScope;
  expiresAt: number;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  reason?: string;
  clientId?: string;
}

export type BearerCheck = { ok: true; clientId: string } | { ok: false; reason: string };

export class BusinessOAuth {
  /** Every client assertion received and every access token issued (for leak scans in tests). */
  readonly assertionsSeen: string[] = [];
  readonly accessTokens: string[] = [];
  private readonly accounts = new Map<string, Registered>();
  private readonly usedJti = new Set<string>();
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly now: () => Date,
    private readonly lifetimeSeconds: number,
  ) {}

  addAccount(scope: BusinessScope = 'business.api'): BusinessAccount {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const prefix = scope === 'school.api' ? 'SCHOOLAPI' : 'BUSINESSAPI';
    const account: BusinessAccount = { clientId: `${prefix}.${randomUUID()}`, keyId: randomUUID(), privateKeyPem, scope };
    this.accounts.set(account.clientId, { account, publicKey: createPublicKey(createPrivateKey(privateKeyPem)) });
    return account;
  }

  /** Every access token issued so far stops working (as after an hour, or a revoked account). */
  expireTokens(): void {
    this.tokens.clear();
  }

  async token(form: URLSearchParams): Promise<TokenAnswer> {
    const refuse = (error: string, reason: string, clientId?: string): TokenAnswer => ({
      status: 400,
      body: { error },
      reason,
      ...(clientId ? { clientId } : {}),
    });
    if (form.get('grant_type') !== 'client_credentials') return refuse('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== JWT_BEARER) return refuse('invalid_request', 'client_assertion_type must be jwt-bearer');
    const clientId = form.get('client_id') ?? '';
    const assertion = form.get('client_assertion') ?? '';
    if (assertion) this.assertionsSeen.push(assertion);
    const reg = this.accounts.get(clientId);
    if (!reg) return refuse('invalid_client', 'unknown client_id');
    if (!assertion) return refuse('invalid_request', 'missing client_assertion', clientId);
    let kid: unknown;
    let alg: unknown;
    try {
      ({ kid, alg } = decodeProtectedHeader(assertion));
    } catch {
      return refuse('invalid_client', 'malformed client assertion', clientId);
    }
    if (alg !== 'ES256') return refuse('invalid_client', 'alg must be ES256', clientId);
    if (kid !== reg.account.keyId) return refuse('invalid_client', 'kid is not the key of this client', clientId);
    const now = this.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, reg.publicKey, {
        algorithms: ['ES256'],
        audience: CLIENT_ASSERTION_AUDIENCE,
        issuer: clientId,
        subject: clientId,
        requiredClaims: ['iat', 'exp', 'jti'],
        currentDate: now,
      }));
    } catch (e) {
      return refuse('invalid_client', joseReason(e), clientId);
    }
    const nowS = Math.floor(now.getTime() / 1000);
    const iat = payload.iat ?? 0;
    const exp = payload.exp ?? 0;
    if (iat > nowS + MAX_IAT_SKEW_S) return refuse('invalid_client', 'iat in the future', clientId);
    if (exp - iat >= MAX_ASSERTION_LIFETIME_S) return refuse('invalid_client', 'assertion lifetime not under 180 days', clientId);
    const jti = String(payload.jti);
    if (this.usedJti.has(jti)) return refuse('invalid_client', 'jti reused', clientId);
    this.usedJti.add(jti);
    const scope = form.get('scope');
    if (scope !== reg.account.scope) return refuse('invalid_scope', `scope must be ${reg.account.scope}`, clientId);
    const accessToken = randomBytes(32).toString('base64url');
    this.accessTokens.push(accessToken);
    this.tokens.set(accessToken, { clientId, scope: reg.account.scope, expiresAt: now.getTime() + this.lifetimeSeconds * 1000 });
    return { status: 200, body: { access_token: accessToken, token_type: 'Bearer', expires_in: this.lifetimeSeconds, scope }, clientId };
  }

  bearer(authorization: string | undefined): BearerCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m?.[1]) return { ok: false, reason: 'missing bearer token' };
    const t = this.tokens.get(m[1]);
    if (!t) return { ok: false, reason: this.accessTokens.includes(m[1]) ? 'token expired' : 'unknown token' };
    if (t.expiresAt <= this.now().getTime()) return { ok: false, reason: 'token expired' };
    return { ok: true, clientId: t.clientId };
  }
}

function joseReason(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'assertion expired';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'alg must be ES256';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return `missing ${e.claim}`;
    if (e.claim === 'aud') return 'wrong audience';
    return `invalid ${e.claim}`;
  }
  return 'malformed client assertion';
}
