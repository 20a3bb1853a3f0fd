/** How actions wire the Apple client to their logger and mask. */
import type { AppleHttpClient, ClientDeps } from '../../core/http.js';
import type { RunContext } from './action-runner.js';

export function clientDeps(ctx: RunContext): ClientDeps {
  return { mask: ctx.mask, log: ctx.log };
}

/** One line on what the run cost: requests by method and Apple's remaining hourly budget. */
export function budgetLine(http: AppleHttpClient): string {
  const byMethod =
    Object.entries(http.stats.byMethod)
      .map(([m, n]) => `${n} ${m}`)
      .join(', ') || 'none';
  const rate = http.rateLimit ? `; ${http.rateLimit.remaining} of ${http.rateLimit.limit} requests left this hour` : '';
  return `Apple API requests: ${byMethod} (${http.stats.retries} retries)${rate}.`;
}
