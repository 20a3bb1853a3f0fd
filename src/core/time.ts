/** Time arithmetic shared by the domains: Apple's dates are ISO 8601 instants; expiry is judged in days. */
export const DAY_MS = 86_400_000;

/** Days from `now` to an ISO instant (fractional; negative once past), or undefined when unparsable. */
export function daysUntil(iso: string | undefined, now: Date): number | undefined {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? undefined : (t - now.getTime()) / DAY_MS;
}
