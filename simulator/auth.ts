// Verifies the bearer JWT of every /v1 request the way Apple does (docs/apple-facts.md §1.1, 2).
import { decodeProtectedHeader, errors as joseErrors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import type { ApiKind } from './types.js';
import type { KeyRegistry, RegisteredKey } from './keys.js';

const AUDIENCE: Record<ApiKind, string> = {
  'app-store-connect': 'appstoreconnect-v1',
  enterprise: 'apple-developer-enterprise-v1',
};

const MAX_LIFETIME_S = 20 * 60;
const MAX_IAT_SKEW_S = 60;

export type AuthResult = { ok: true; key: RegisteredKey } | { ok: false; reason: string; key?: RegisteredKey };

export interface AuthRequest {
  authorization: string | undefined;
  method: string;
  path: string;
  query: URLSearchParams;
}

export class Authenticator {
  private readonly cryptoKeys = new Map<string, Promise<CryptoKey>>();
  private readonly seen = new Set<string>();
  private readonly revoked = new Set<string>();
  private readonly presented = new Set<string>();

  constructor(
    private readonly keys: KeyRegistry,
    private readonly now: () => Date,
  ) {}

  /** The registered key a token names in its `kid`, without verifying anything (for attribution). */
  keyOf(authorization: string | undefined): RegisteredKey | undefined {
    const token = bearer(authorization);
    if (!token) return undefined;
    try {
      const kid = decodeProtectedHeader(token).kid;
      return typeof kid === 'string' ? this.keys.get(kid) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Notes a presented bearer token (for Simulator.tokensSeen). */
  notePresented(authorization: string | undefined): void {
    const token = bearer(authorization);
    if (token) this.presented.add(token);
  }

  presentedTokens(): string[] {
    return [...this.presented];
  }

  /** Every token seen so far is refused from now on ("expired mid-run"). */
  expireSeenTokens(): void {
    for (const t of this.seen) this.revoked.add(t);
  }

  /** This request's token is refused from now on. */
  expireToken(authorization: string | undefined): void {
    const token = bearer(authorization);
    if (token) this.revoked.add(token);
  }

  async verify(req: AuthRequest): Promise<AuthResult> {
    const token = bearer(req.authorization);
    if (!token) return { ok: false, reason: 'missing bearer token' };
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { ok: false, reason: 'malformed token' };
    }
    const key = typeof header.kid === 'string' ? this.keys.get(header.kid) : undefined;
    const fail = (reason: string): AuthResult => (key ? { ok: false, reason, key } : { ok: false, reason });
    if (header.alg !== 'ES256') return fail('alg must be ES256');
    if (header.typ !== 'JWT') return fail('typ must be JWT');
    if (!key) return fail('unknown kid');
    if (this.revoked.has(token)) return fail('token expired');

    const now = this.now();
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, await this.cryptoKey(key), {
        algorithms: ['ES256'],
        typ: 'JWT',
        audience: AUDIENCE[key.credentials.api],
        // iat is optional in practice: older clients send none and Apple takes them (docs/apple-facts.md §1.1).
        requiredClaims: ['aud', 'exp'],
        currentDate: now,
        clockTolerance: 0,
      });
      payload = verified.payload;
    } catch (e) {
      return fail(joseReason(e));
    }
    const reason = this.claimProblem(payload, key, now, req);
    if (reason) return fail(reason);
    this.seen.add(token);
    return { ok: true, key };
  }

  private claimProblem(p: JWTPayload, key: RegisteredKey, now: Date, req: AuthRequest): string | undefined {
    const nowS = Math.floor(now.getTime() / 1000);
    const exp = p.exp ?? 0;
    if (p.iat !== undefined) {
      if (p.iat > nowS + MAX_IAT_SKEW_S) return 'iat in the future';
      if (exp - p.iat > MAX_LIFETIME_S) return 'token lifetime over 20 minutes';
    }
    // "Tokens that expire more than 20 minutes into the future are not valid", judged from exp alone too
    // (the only measure when iat is missing), with the same clock-skew allowance as iat.
    if (exp - nowS > MAX_LIFETIME_S + MAX_IAT_SKEW_S) return 'exp more than 20 minutes ahead';
    const { kind, issuerId } = key.credentials;
    if (kind === 'team') {
      if (p.iss !== issuerId) return 'wrong issuer';
    } else {
      if (p.iss !== undefined) return 'iss not allowed for individual keys';
      if (p.sub !== 'user') return 'sub must be "user" for individual keys';
    }
    if (p['scope'] !== undefined && !scopeAllows(p['scope'], req)) return 'scope does not allow this request';
    return undefined;
  }

  private cryptoKey(key: RegisteredKey): Promise<CryptoKey> {
    const id = key.credentials.keyId;
    let k = this.cryptoKeys.get(id);
    if (!k) {
      const spki = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      k = importSPKI(spki, 'ES256');
      this.cryptoKeys.set(id, k);
    }
    return k;
  }
}

function bearer(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

function joseReason(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'token expired';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'alg must be ES256';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return `missing ${e.claim}`;
    if (e.claim === 'aud') return 'wrong audience';
    if (e.claim === 'typ') return 'typ must be JWT';
    return `invalid ${e.claim}`;
  }
  return 'malformed token';
}

const SCOPE_IGNORED = new Set(['limit', 'cursor', 'sort']);

/** GET-only scopes like "GET /v1/devices?filter[platform]=IOS": query order does not matter; limit, cursor, sort are ignored. */
function scopeAllows(scope: unknown, req: AuthRequest): boolean {
  if (!Array.isArray(scope) || !scope.every((s): s is string => typeof s === 'string')) return false;
  if (req.method !== 'GET') return false;
  const wanted = canonicalQuery(req.query);
  return scope.some((entry) => {
    const m = /^GET\s+([^?\s]+)(?:\?(\S*))?$/.exec(entry.trim());
    if (!m || m[1] !== req.path) return false;
    return canonicalQuery(new URLSearchParams(m[2] ?? '')) === wanted;
  });
}

function canonicalQuery(q: URLSearchParams): string {
  return [...q.entries()]
    .filter(([k]) => !SCOPE_IGNORED.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join('&');
}
