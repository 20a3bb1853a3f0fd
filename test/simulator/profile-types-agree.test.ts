// The profile-type table exists twice: the product's (src/profiles/profile-types.ts) and the simulator's own copy
// (simulator/signing-types.ts, kept apart so the simulator stays independent of the code it tests). They must agree
// on everything both encode, or the simulator would accept what Apple refuses (or the reverse) without a test noticing.
import { describe, expect, it } from 'vitest';
import { PROFILE_TYPES as PRODUCT, isMacProfileType } from '../../src/profiles/profile-types.js';
import { PROFILE_TYPES as SIM_TYPES, PROFILE_TYPE_INFO as SIM } from '../../simulator/signing-types.js';

const types = Object.keys(PRODUCT).sort();
const sorted = (xs: readonly string[]) => [...xs].sort();

describe('profile-type tables of the product and the simulator', () => {
  it('list the same 14 profile types', () => {
    expect(types).toHaveLength(14);
    expect(sorted(SIM_TYPES)).toEqual(types);
    expect(sorted(Object.keys(SIM))).toEqual(types);
  });

  it.each(types)('agree on %s: certificate types, device platform, development, API and macOS-ness', (type) => {
    const product = PRODUCT[type as keyof typeof PRODUCT];
    const sim = SIM[type as keyof typeof SIM];
    expect(sorted(sim.certificateTypes)).toEqual(sorted(product.certificateTypes));
    expect(sim.devicePlatform).toBe(product.devicePlatform);
    expect(sim.development).toBe(product.development);
    // The product says which single API a type is limited to; the simulator says onlyOn / notOn.
    const simApi = sim.onlyOn ?? (sim.notOn === 'enterprise' ? 'app-store-connect' : sim.notOn === 'app-store-connect' ? 'enterprise' : undefined);
    expect(simApi).toBe(product.api);
    // A macOS profile file (.provisionprofile) is one whose plist Platform is OSX.
    expect(sim.plistPlatform.includes('OSX')).toBe(isMacProfileType(type as keyof typeof PRODUCT));
  });
});
