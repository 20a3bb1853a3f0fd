// Identifiers and timestamps in the shapes Apple uses.
import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Hands out Apple-style resource ids (10 upper-case alphanumerics, e.g. 83U6TJTZ87), never the same twice. */
export class IdGenerator {
  private readonly used = new Set<string>();

  next(): string {
    for (;;) {
      const bytes = randomBytes(10);
      let id = '';
      for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

export function uuid(): string {
  return randomUUID();
}

/** Apple's observed date form: 2024-08-22T14:48:45.638+00:00 */
export function appleDate(d: Date): string {
  return d.toISOString().replace(/Z$/, '+00:00');
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const YEAR_MS = 365 * DAY_MS;
