/**
 * Finds the organisation's devices for a list of serial numbers with few requests, whatever the
 * organisation's size.
 *
 * Strategy: read the first page of `GET /v1/orgDevices` at the maximum page size (1000). A small
 * organisation is then done in one request. In a larger one, when at most `perSerialThreshold` (5)
 * serial numbers are still unfound, each is read with `GET /v1/orgDevices/{serial}` (the id is the
 * serial; a 404 proves it is not in the organisation): 1 + at most 5 requests, however large the
 * organisation (paging 50,000 devices would take 50). With more serials left, paging goes on and stops
 * as soon as all are found: at most one request per 1000 devices, however long the list. The size of the
 * organisation is not known in advance (Apple's paging gives no total), so 5 caps the worst case of
 * the per-serial path at a few requests more than paging would have cost in an organisation of a few
 * thousand devices.
 */
import { AppleApiError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import { BUSINESS_PAGE_LIMIT, type OrgDevice, type Page } from './types.js';

export interface OrgDeviceLookup {
  /** Found devices by upper-case serial number. */
  found: Map<string, OrgDevice>;
  /** Serial numbers not in the organisation, in list order. */
  missing: string[];
  /** How the lookup went, for the log. */
  method: string;
}

const PER_SERIAL_THRESHOLD = 5;

function serialOf(d: OrgDevice): string {
  return (d.attributes?.serialNumber ?? d.id).toUpperCase();
}

export async function findOrgDevices(http: AppleHttpClient, serials: readonly string[], perSerialThreshold = PER_SERIAL_THRESHOLD): Promise<OrgDeviceLookup> {
  const wanted = new Set(serials.map((s) => s.toUpperCase()));
  const found = new Map<string, OrgDevice>();
  let pages = 0;
  let singles = 0;
  for await (const page of http.pages<Page<OrgDevice>>('/v1/orgDevices', { limit: BUSINESS_PAGE_LIMIT })) {
    pages++;
    for (const d of page.data) {
      const serial = serialOf(d);
      if (wanted.has(serial)) found.set(serial, d);
    }
    const left = [...wanted].filter((s) => !found.has(s));
    if (left.length === 0) break;
    if (page.links?.next && left.length <= perSerialThreshold) {
      for (const serial of left) {
        singles++;
        const d = await getOrgDevice(http, serial);
        if (d) found.set(serial, d);
      }
      break;
    }
  }
  const missing = serials.map((s) => s.toUpperCase()).filter((s) => !found.has(s));
  const method = `${pages} page(s) of /v1/orgDevices${singles ? ` and ${singles} single look-up(s)` : ''}`;
  return { found, missing, method };
}

/** One device by serial number; undefined when the organisation has no such device. */
async function getOrgDevice(http: AppleHttpClient, serial: string): Promise<OrgDevice | undefined> {
  try {
    return (await http.get<{ data: OrgDevice }>(`/v1/orgDevices/${encodeURIComponent(serial)}`)).body.data;
  } catch (err) {
    if (err instanceof AppleApiError && err.status === 404) return undefined;
    throw err;
  }
}
