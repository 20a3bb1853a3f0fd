import { createPrivateKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_TOKEN_AUDIENCE, signClientAssertion } from '../../src/business/client-assertion.js';
import { BusinessAuthError, BusinessTokenProvider } from '../../src/business/oauth.js';
import { AppleConnectionError, describeError } from '../../src/core/errors.js';
import { startBusinessSimulator, type BusinessAccount, type BusinessSimulator } from '../../simulator/business/index.js';

let sim: BusinessSimulator;
let account: BusinessAccount;
let simNow = Date.now();

beforeAll(async () => {
  sim = await startBusinessSimulator({ now: () => new Date(simNow) });
  account = sim.addAccount();
});
afterAll(async () => sim?.close());

describe('client assertion', () => {
  it('is ES256 with kid, iss = sub = client ID, Apple audience, a fresh jti and a one-hour lifetime', async () => {
    const key = createPrivateKey(account.privateKeyPem);
    const a = await signClientAssertion({ clientId: 'BUSINESSAPI.x', keyId: 'k-1', key, now: () => 1_800_000_000_000 });
    const b = await signClientAssertion({ clientId: 'BUSINESSAPI.x', keyId: 'k-1', key, now: () => 1_800_000_000_000 });
    expect(decodeProtectedHeader(a)).toEqual({ alg: 'ES256', kid: 'k-1', typ: 'JWT' });
    const c = decodeJwt(a);
    expect(c).toMatchObject({
      iss: 'BUSINESSAPI.x',
      sub: 'BUSINESSAPI.x',
      aud: BUSINESS_TOKEN_AUDIENCE,
      iat: 1_800_000_000 - 60,
      exp: 1_800_000_000 - 60 + 3600,
    });
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeJwt(b).jti).not.toBe(c.jti);
  });
});

describe('BusinessTokenProvider against the simulator', () => {
  function provider(secrets: string[], over: Partial<ConstructorParameters<typeof BusinessTokenProvider>[0]> = {}): BusinessTokenProvider {
    return new BusinessTokenProvider({
      tokenUrl: sim.tokenUrl,
      clientId: account.clientId,
      keyId: account.keyId,
      key: createPrivateKey(account.privateKeyPem),
      scope: 'business.api',
      onSecret: (s) => secrets.push(s),
      now: () => simNow,
      ...over,
    });
  }

  it('reuses the access token for the hour and renews it shortly before it expires', async () => {
    sim.clearRequests();
    const secrets: string[] = [];
    const p = provider(secrets);
    const first = await p.token();
    simNow += 50 * 60_000;
    expect(await p.token()).toBe(first);
    simNow += 9 * 60_000;
    const second = await p.token();
    expect(second).not.toBe(first);
    expect(sim.requests.filter((q) => q.path === '/auth/oauth2/token')).toHaveLength(2);
    // Both assertions and both tokens were handed to the mask as soon as they existed.
    expect(secrets).toHaveLength(4);
    expect(secrets).toContain(first);
    expect(secrets).toContain(second);
  });

  it('shares one token request between concurrent renewals', async () => {
    sim.clearRequests();
    const p = provider([]);
    const [a, b] = await Promise.all([p.renew(), p.renew()]);
    expect(a).toBe(b);
    expect(sim.requests).toHaveLength(1);
  });

  it('turns invalid_scope into one sentence on which scope fits which client', async () => {
    const err = await provider([], { scope: 'school.api' })
      .token()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessAuthError);
    expect((err as Error).message).toBe(
      "Apple's token endpoint refused scope school.api (invalid_scope); use school.api for an Apple School Manager account (client ID SCHOOLAPI.…) and business.api for Apple Business (BUSINESSAPI.…).",
    );
  });

  it('bounds the token request by the shared deadline and names token-url when it passes', async () => {
    const { createServer } = await import('node:http');
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const tokenUrl = `http://127.0.0.1:${(trickle.address() as { port: number }).port}/auth/oauth2/token`;
    try {
      const started = Date.now();
      const err = await provider([], { tokenUrl, limits: { requestTimeoutMs: 200 }, backoff: { maxRetries: 0, baseMs: 1, maxMs: 1, maxRetryAfterMs: 0 } })
        .token()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppleConnectionError);
      expect(describeError(err)).toBe(
        `${tokenUrl} (POST) did not answer completely within 200 ms. Check the network, token-url and any HTTPS_PROXY/NO_PROXY settings, then run the job again.`,
      );
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      trickle.closeAllConnections();
      trickle.close();
    }
  });
});
