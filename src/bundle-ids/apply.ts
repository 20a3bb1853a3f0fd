/**
 * Carries out a bundle ID's plan on Apple: creates a missing bundle ID, then adds, updates and removes
 * capabilities in the plan's order. Writes whose outcome is unknown are settled by re-reading, never by
 * a blind second write; a capability Apple says is already on (someone else added it) counts as added.
 */
import { createBundleId, exactBundleId, listBundleIds } from '../apple/bundle-ids.js';
import { capabilitiesOf, disableCapability, enableCapability, updateCapability } from '../apple/capabilities.js';
import type { BundleId, BundleIdCapability, BundleIdPlatform } from '../apple/types.js';
import { AppleApiError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { writeWithReread } from '../core/reread-write.js';
import type { CapabilityChange } from './plan.js';

export async function createBundleIdOnce(
  http: AppleHttpClient,
  b: { identifier: string; name: string; platform: BundleIdPlatform },
  log: Logger,
): Promise<BundleId> {
  return writeWithReread({
    write: () => createBundleId(http, b),
    reread: async () => exactBundleId(await listBundleIds(http, [b.identifier]), b.identifier),
    log: (l) => log.info(l),
  });
}

async function enableOnce(http: AppleHttpClient, bundleIdId: string, change: CapabilityChange): Promise<BundleIdCapability> {
  const reread = async () => (await capabilitiesOf(http, bundleIdId)).find((c) => c.attributes?.capabilityType === change.type);
  try {
    return await writeWithReread({ write: () => enableCapability(http, bundleIdId, change.type, change.settings), reread });
  } catch (err) {
    // 409: already on (added since we read), or a real refusal; only the re-read can tell.
    if (err instanceof AppleApiError && err.status === 409) {
      const found = await reread();
      if (found) return found;
    }
    throw err;
  }
}

export async function applyCapabilityChanges(http: AppleHttpClient, bundleIdId: string, changes: readonly CapabilityChange[], log: Logger): Promise<void> {
  for (const c of changes) {
    if (c.action === 'add') await enableOnce(http, bundleIdId, c);
    else if (c.action === 'update') await updateCapability(http, c.capabilityId ?? '', c.settings);
    else {
      try {
        await disableCapability(http, c.capabilityId ?? '');
      } catch (err) {
        if (!(err instanceof AppleApiError && err.status === 404)) throw err;
      }
    }
    log.info(`${c.action === 'add' ? 'Added' : c.action === 'update' ? 'Updated' : 'Removed'} ${c.type}.`);
  }
}
