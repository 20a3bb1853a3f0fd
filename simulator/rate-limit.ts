// Apple's per-key rolling-hour request budget and its X-Rate-Limit header (docs/apple-facts.md §1.2).

const HOUR_MS = 60 * 60 * 1000;

export interface RateState {
  limit: number;
  remaining: number;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly now: () => Date,
  ) {}

  /** Spends one request of the key's budget; false (nothing spent) when the budget is gone. */
  take(keyId: string): boolean {
    const hits = this.recent(keyId);
    if (hits.length >= this.limit) return false;
    hits.push(this.now().getTime());
    return true;
  }

  peek(keyId: string): RateState {
    return { limit: this.limit, remaining: Math.max(0, this.limit - this.recent(keyId).length) };
  }

  header(keyId: string): string {
    const s = this.peek(keyId);
    return `user-hour-lim:${s.limit};user-hour-rem:${s.remaining};`;
  }

  private recent(keyId: string): number[] {
    const cutoff = this.now().getTime() - HOUR_MS;
    const hits = (this.hits.get(keyId) ?? []).filter((t) => t > cutoff);
    this.hits.set(keyId, hits);
    return hits;
  }
}
