// Injected faults: matched in insertion order, consumed per `times`. Shared by the App Store Connect /
// Enterprise simulator and the Apple Business simulator, whose fault specs are both this shape.
import type { FaultSpec } from './types.js';

/** What every simulator's fault spec has; the fields a simulator does not act on stay unset. */
export interface MatchableFault {
  method?: string;
  path?: string | RegExp;
  times?: number;
  status?: number;
  delayMs?: number;
  drop?: boolean;
  afterCommit?: boolean;
  expireTokens?: boolean;
  name?: string;
}

export interface ActiveFault<S extends MatchableFault = FaultSpec> {
  spec: S;
  name: string;
}

interface Entry<S> {
  spec: S;
  remaining: number;
}

export class FaultQueue<S extends MatchableFault = FaultSpec> {
  private entries: Entry<S>[] = [];

  add(spec: S): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('FaultSpec.times must be a positive integer');
    this.entries.push({ spec: { ...spec }, remaining: times });
  }

  clear(): void {
    this.entries = [];
  }

  /** The first fault matching the request, consumed once; undefined when none matches. */
  take(method: string, path: string): ActiveFault<S> | undefined {
    const entry = this.entries.find((e) => matches(e.spec, method, path));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries = this.entries.filter((e) => e !== entry);
    return { spec: entry.spec, name: entry.spec.name ?? describe(entry.spec) };
  }
}

function matches(f: MatchableFault, method: string, path: string): boolean {
  if (f.method !== undefined && f.method.toUpperCase() !== method.toUpperCase()) return false;
  if (f.path === undefined) return true;
  if (typeof f.path === 'string') return f.path === path;
  f.path.lastIndex = 0;
  return f.path.test(path);
}

function describe(f: MatchableFault): string {
  const parts: string[] = [];
  if (f.delayMs !== undefined) parts.push(`delay:${f.delayMs}`);
  if (f.drop) parts.push('drop');
  if (f.status !== undefined) parts.push(`status:${f.status}`);
  if (f.afterCommit) parts.push('afterCommit');
  if (f.expireTokens) parts.push('expireTokens');
  return parts.length ? parts.join('+') : 'noop';
}
