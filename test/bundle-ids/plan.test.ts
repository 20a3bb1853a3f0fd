// The pure plan of ensure-bundle-id: add, update settings, remove only when asked and never the defaults.
import { describe, expect, it } from 'vitest';
import type { BundleIdCapability } from '../../src/apple/types.js';
import { deriveBundleIdName, planCapabilities } from '../../src/bundle-ids/plan.js';
import type { WantedCapability } from '../../src/entitlements/capabilities.js';

const cap = (type: NonNullable<BundleIdCapability['attributes']>['capabilityType'], settings?: [string, string]): BundleIdCapability => ({
  type: 'bundleIdCapabilities',
  id: `B_${type}`,
  attributes: {
    capabilityType: type,
    ...(settings ? { settings: [{ key: settings[0] as 'ICLOUD_VERSION', options: [{ key: settings[1] as 'XCODE_5', enabled: true }] }] } : {}),
  },
});
const want = (type: WantedCapability['type'], settings: WantedCapability['settings'] = []): WantedCapability => ({
  type,
  settings,
  because: ['x in A.entitlements'],
});

describe('planCapabilities', () => {
  it('adds what is missing and updates a setting that differs, with reasons', () => {
    const changes = planCapabilities({
      existing: [cap('IN_APP_PURCHASE'), cap('ICLOUD', ['ICLOUD_VERSION', 'XCODE_5'])],
      wanted: [want('PUSH_NOTIFICATIONS'), want('ICLOUD', [{ key: 'ICLOUD_VERSION', option: 'XCODE_6' }])],
      removeUnlisted: false,
    });
    expect(changes).toEqual([
      { action: 'add', type: 'PUSH_NOTIFICATIONS', settings: [], reason: 'asked by x in A.entitlements' },
      {
        action: 'update',
        type: 'ICLOUD',
        settings: [{ key: 'ICLOUD_VERSION', option: 'XCODE_6' }],
        capabilityId: 'B_ICLOUD',
        reason: 'ICLOUD_VERSION is XCODE_5, XCODE_6 is asked (asked by x in A.entitlements)',
      },
    ]);
  });

  it('leaves a capability alone when no setting is asked for or the setting matches', () => {
    const existing = [cap('ICLOUD', ['ICLOUD_VERSION', 'XCODE_6']), cap('APP_GROUPS')];
    expect(planCapabilities({ existing, wanted: [want('ICLOUD'), want('APP_GROUPS')], removeUnlisted: true })).toEqual([]);
    expect(planCapabilities({ existing, wanted: [want('ICLOUD', [{ key: 'ICLOUD_VERSION', option: 'XCODE_6' }])], removeUnlisted: false })).toEqual([]);
  });

  it('removes unlisted capabilities only with removeUnlisted, never IN_APP_PURCHASE or GAME_CENTER', () => {
    const existing = [cap('IN_APP_PURCHASE'), cap('GAME_CENTER'), cap('HEALTHKIT'), cap('PUSH_NOTIFICATIONS')];
    expect(planCapabilities({ existing, wanted: [want('PUSH_NOTIFICATIONS')], removeUnlisted: false })).toEqual([]);
    expect(planCapabilities({ existing, wanted: [want('PUSH_NOTIFICATIONS')], removeUnlisted: true })).toEqual([
      { action: 'remove', type: 'HEALTHKIT', settings: [], capabilityId: 'B_HEALTHKIT', reason: 'not asked for (remove-unlisted)' },
    ]);
  });
});

describe('deriveBundleIdName', () => {
  it('keeps letters, digits and spaces only', () => {
    expect(deriveBundleIdName('com.example.app-widget_2')).toBe('com example app widget 2');
    expect(deriveBundleIdName('*')).toBe('Wildcard');
  });
});
