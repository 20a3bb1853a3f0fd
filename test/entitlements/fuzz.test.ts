// A seeded, time-bounded fuzz of the entitlements reader: mutated XML and binary property lists give a
// dictionary or one InputError, never another exception, and each parse stays fast.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng } from '../support/prng.js';
import { InputError } from '../../src/core/errors.js';
import { parseEntitlements } from '../../src/entitlements/read.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const SEEDS = ['App.entitlements', 'App.binary.entitlements', 'Mac.binary.entitlements', 'Widget.entitlements'].map((f) =>
  readFileSync(path.join(FIXTURES, f)),
);

function mutate(input: Buffer, r: () => number): Buffer {
  const b = Buffer.from(input);
  const n = 1 + Math.floor(r() * 8);
  let out = b;
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * out.length);
    const op = r();
    if (op < 0.5) out[at] = Math.floor(r() * 256);
    else if (op < 0.65) out = out.subarray(0, at);
    else if (op < 0.8) out = Buffer.concat([out.subarray(0, at), Buffer.from([Math.floor(r() * 256)]), out.subarray(at)]);
    else if (op < 0.9) out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + 16), out.subarray(at)]);
    // Point a trailer field somewhere else (binary plists keep sizes and offsets in the last 32 bytes).
    else if (out.length > 32) out[out.length - 1 - Math.floor(r() * 26)] = Math.floor(r() * 256);
  }
  return out;
}

describe('entitlements reader fuzz', () => {
  it('gives a dictionary or one InputError for mutated inputs, each within 200 ms (seeded, at most 3 s)', () => {
    const seed = 20261202;
    const r = prng(seed);
    const deadline = Date.now() + 3000;
    let runs = 0;
    let refused = 0;
    while (Date.now() < deadline && runs < 20_000) {
      const input = mutate(SEEDS[runs % SEEDS.length] as Buffer, r);
      const started = Date.now();
      try {
        const ent = parseEntitlements(input, 'Fuzz.entitlements');
        expect(typeof ent).toBe('object');
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`seed ${seed} run ${runs}: ${String(err)} for ${input.toString('base64')}`, { cause: err });
        expect(err.message).toMatch(/^Input entitlements names 'Fuzz\.entitlements'/);
        refused++;
      }
      expect(Date.now() - started).toBeLessThan(200);
      runs++;
    }
    expect(runs).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(0);
  });
});
