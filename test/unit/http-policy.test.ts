import { describe, expect, it } from 'vitest';
import { paceMs, parseRateLimit } from '../../src/core/rate-limit.js';
import { backoffMs, DEFAULT_BACKOFF, parseRetryAfter } from '../../src/core/retry.js';

describe('rate limit header', () => {
  it("parses Apple's form, with or without the trailing semicolon and spaces", () => {
    expect(parseRateLimit('user-hour-lim:3600;user-hour-rem:3590;')).toEqual({ limit: 3600, remaining: 3590 });
    expect(parseRateLimit(' user-hour-lim: 3500 ; user-hour-rem: 500')).toEqual({ limit: 3500, remaining: 500 });
  });
  it('is undefined when absent or unreadable', () => {
    expect(parseRateLimit(undefined)).toBeUndefined();
    expect(parseRateLimit('garbage')).toBeUndefined();
  });
  it('paces requests only when the budget is nearly spent', () => {
    expect(paceMs({ limit: 3600, remaining: 1000 })).toBe(0);
    expect(paceMs({ limit: 3600, remaining: 180 })).toBe(1000);
    expect(paceMs({ limit: 100, remaining: 40 })).toBe(36000);
  });
});

describe('backoff', () => {
  it('grows exponentially within [half, full] of the ceiling and stops at the cap', () => {
    expect(backoffMs(0, DEFAULT_BACKOFF, () => 0)).toBe(250);
    expect(backoffMs(2, DEFAULT_BACKOFF, () => 1)).toBe(2000);
    expect(backoffMs(10, DEFAULT_BACKOFF, () => 1)).toBe(8000);
  });
  it('reads Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
