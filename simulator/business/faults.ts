// Injected faults for the Business simulator: matched in insertion order, consumed per `times`.
import type { BusinessFaultSpec } from './types.js';

interface Entry {
  spec: BusinessFaultSpec;
  remaining: number;
}

export class BusinessFaults {
  private entries: Entry[] = [];

  add(spec: BusinessFaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    this.entries.push({ spec: { ...spec }, remaining: times });
  }

  clear(): void {
    this.entries = [];
  }

  take(method: string, path: string): BusinessFaultSpec | undefined {
    const entry = this.entries.find(({ spec: f }) => {
      if (f.method !== undefined && f.method.toUpperCase() !== method.toUpperCase()) return false;
      if (f.path === undefined) return true;
      if (typeof f.path === 'string') return f.path === path;
      f.path.lastIndex = 0;
      return f.path.test(path);
    });
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries = this.entries.filter((e) => e !== entry);
    return entry.spec;
  }
}

export function faultName(f: BusinessFaultSpec): string {
  if (f.name) return f.name;
  const parts: string[] = [];
  if (f.delayMs !== undefined) parts.push(`delay:${f.delayMs}`);
  if (f.drop) parts.push('drop');
  if (f.status !== undefined) parts.push(`status:${f.status}`);
  return parts.join('+') || 'noop';
}
