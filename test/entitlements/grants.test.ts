// What a profile grants, compared by meaning: build variables expanded, Apple's wildcards, aps-environment.
import { describe, expect, it } from 'vitest';
import { entitlementGaps, type ProfileSide } from '../../src/entitlements/grants.js';

const profile = (entitlements: ProfileSide['entitlements']): ProfileSide => ({
  entitlements,
  teamId: 'TEAM123456',
  appIdPrefix: 'SEED123456',
  identifier: 'com.example.app',
});

describe('entitlementGaps', () => {
  it("is satisfied by the profile's own aps-environment whatever the file says", () => {
    expect(entitlementGaps({ 'aps-environment': 'development' }, profile({ 'aps-environment': 'production' }))).toEqual([]);
    expect(entitlementGaps({ 'aps-environment': 'development' }, profile({}))).toEqual([{ key: 'aps-environment', kind: 'missing', values: [] }]);
  });

  it('lets * and TEAM.* grant everything they cover, and expands Xcode build variables first', () => {
    expect(
      entitlementGaps({ 'com.apple.developer.associated-domains': ['applinks:example.com'] }, profile({ 'com.apple.developer.associated-domains': '*' })),
    ).toEqual([]);
    expect(
      entitlementGaps(
        { 'com.apple.developer.pass-type-identifiers': ['$(TeamIdentifierPrefix)pass.com.example'] },
        profile({ 'com.apple.developer.pass-type-identifiers': ['TEAM123456.*'] }),
      ),
    ).toEqual([]);
    expect(
      entitlementGaps(
        { 'com.apple.developer.icloud-container-identifiers': ['iCloud.$(PRODUCT_BUNDLE_IDENTIFIER)'] },
        profile({ 'com.apple.developer.icloud-container-identifiers': ['iCloud.com.example.app'] }),
      ),
    ).toEqual([]);
    expect(
      entitlementGaps(
        { 'com.apple.developer.pass-type-identifiers': ['$(TeamIdentifierPrefix)pass.com.example'] },
        profile({ 'com.apple.developer.pass-type-identifiers': ['OTHERTEAM1.*'] }),
      ),
    ).toEqual([{ key: 'com.apple.developer.pass-type-identifiers', kind: 'values', values: ['TEAM123456.pass.com.example'] }]);
  });

  it('names the values a profile lacks, and ignores keys that need no capability', () => {
    expect(
      entitlementGaps(
        { 'com.apple.security.application-groups': ['group.a', 'group.b'], 'keychain-access-groups': ['$(AppIdentifierPrefix)x'], 'get-task-allow': true },
        profile({ 'com.apple.security.application-groups': ['group.a'] }),
      ),
    ).toEqual([{ key: 'com.apple.security.application-groups', kind: 'values', values: ['group.b'] }]);
    expect(
      entitlementGaps(
        { 'com.apple.developer.default-data-protection': 'NSFileProtectionComplete' },
        profile({ 'com.apple.developer.default-data-protection': 'NSFileProtectionComplete' }),
      ),
    ).toEqual([]);
    expect(entitlementGaps({ 'com.apple.developer.siri': true, 'com.apple.developer.homekit': false }, profile({ 'com.apple.developer.siri': true }))).toEqual(
      [],
    );
  });
});
