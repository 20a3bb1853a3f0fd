/** Apple's `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:3590;` header (Identifying Rate Limits). */

export interface RateLimit {
  limit: number;
  remaining: number;
}

/** Lenient: unknown keys, spaces and a missing trailing `;` are fine; returns undefined when absent or unreadable. */
export function parseRateLimit(header: string | undefined): RateLimit | undefined {
  if (!header) return undefined;
  const fields = new Map<string, number>();
  for (const part of header.split(';')) {
    const [k, v] = part.split(':').map((s) => s.trim());
    if (k && v && /^\d+$/.test(v)) fields.set(k, Number(v));
  }
  const limit = fields.get('user-hour-lim');
  const remaining = fields.get('user-hour-rem');
  return limit === undefined || remaining === undefined ? undefined : { limit, remaining };
}

/**
 * How long to wait before the next request so that a nearly spent budget lasts: nothing while more
 * than 5% (at least 50 requests) remains, then the pace the hourly limit allows (3600/h: 1 s apart).
 */
export function paceMs(rate: RateLimit | undefined): number {
  if (!rate || rate.limit <= 0) return 0;
  const lowWater = Math.max(50, Math.ceil(rate.limit * 0.05));
  if (rate.remaining > lowWater) return 0;
  return Math.ceil(3_600_000 / rate.limit);
}
