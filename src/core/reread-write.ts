/**
 * Writes that must not happen twice. Apple answers a second device or profile create with 409, so a
 * write whose outcome is unknown (5xx, dropped connection) is followed by a re-read: if the first
 * write did land, its result is used; only if it did not is the write sent again.
 */
import { AppleApiError, AppleConnectionError } from './errors.js';
import { backoffMs, DEFAULT_BACKOFF, formatMs, realSleep, type BackoffPolicy, type Sleep } from './retry.js';

export interface RereadWriteOptions<T> {
  write: () => Promise<T>;
  /** Finds the result of an earlier attempt that landed; undefined when none did. */
  reread: () => Promise<T | undefined>;
  sleep?: Sleep;
  backoff?: BackoffPolicy;
  log?: (line: string) => void;
}

/** Whether a failed write may have landed or may succeed if sent again. */
function outcomeUnknown(err: unknown): boolean {
  if (err instanceof AppleConnectionError) return true;
  return err instanceof AppleApiError && (err.status >= 500 || err.status === 429);
}

export async function writeWithReread<T>(o: RereadWriteOptions<T>): Promise<T> {
  const policy = o.backoff ?? DEFAULT_BACKOFF;
  const sleep = o.sleep ?? realSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await o.write();
    } catch (err) {
      if (!outcomeUnknown(err) || attempt >= policy.maxRetries) throw err;
      o.log?.(`write failed with an unknown outcome (${err instanceof Error ? err.message : String(err)}); re-reading before any retry`);
      const landed = await o.reread();
      if (landed !== undefined) return landed;
      const wait = backoffMs(attempt, policy);
      o.log?.(`the write did not land; waiting ${formatMs(wait)} before sending it again (retry ${attempt + 1} of ${policy.maxRetries})`);
      await sleep(wait);
    }
  }
}
