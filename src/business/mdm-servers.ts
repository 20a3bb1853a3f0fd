/** Device management services (`/v1/mdmServers`): find one by name or ID, and read its devices. */
import { ConfigError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import { BUSINESS_PAGE_LIMIT, type Linkage, type MdmServer, type Page } from './types.js';
import { quoteValue } from '../core/redact.js';

export async function listMdmServers(http: AppleHttpClient): Promise<MdmServer[]> {
  return (await http.all<MdmServer>('/v1/mdmServers', { limit: BUSINESS_PAGE_LIMIT })).data;
}

export function serverName(s: MdmServer): string {
  return s.attributes?.serverName ?? s.id;
}

const MAX_NAMES_SHOWN = 25;

/**
 * The service whose ID equals `wanted`, else whose name does (exactly, then ignoring case). An unknown
 * or ambiguous name is one sentence that lists what there is.
 */
export function chooseMdmServer(servers: readonly MdmServer[], wanted: string, input = 'device-management-service'): MdmServer {
  const byId = servers.find((s) => s.id === wanted);
  if (byId) return byId;
  let matches = servers.filter((s) => s.attributes?.serverName === wanted);
  if (matches.length === 0) matches = servers.filter((s) => serverName(s).toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1) return matches[0] as MdmServer;
  if (matches.length > 1) {
    throw new ConfigError(
      `${input} ${quoteValue(wanted)} names ${matches.length} device management services (IDs ${matches.map((s) => s.id).join(', ')}); pass the ID of the one you mean.`,
    );
  }
  if (servers.length === 0) {
    throw new ConfigError(
      `${input} is ${quoteValue(wanted)}, but the organisation has no device management services; add one in Apple Business under Preferences > Your MDM Servers first.`,
    );
  }
  const names = servers.map((s) => `'${serverName(s)}'`);
  const shown = names.length > MAX_NAMES_SHOWN ? `${names.slice(0, MAX_NAMES_SHOWN).join(', ')} and ${names.length - MAX_NAMES_SHOWN} more` : names.join(', ');
  throw new ConfigError(
    `${input} is ${quoteValue(wanted)}, but the organisation has no device management service of that name or ID; the known ones are ${shown}.`,
  );
}

/**
 * Which of `serials` are assigned to the service, from `GET /v1/mdmServers/{id}/relationships/devices`;
 * paging stops once every one of them has been seen.
 */
export async function serialsAssignedTo(http: AppleHttpClient, serverId: string, serials: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(serials.map((s) => s.toUpperCase()));
  const assigned = new Set<string>();
  if (wanted.size === 0) return assigned;
  const path = `/v1/mdmServers/${encodeURIComponent(serverId)}/relationships/devices`;
  for await (const page of http.pages<Page<Linkage>>(path, { limit: BUSINESS_PAGE_LIMIT })) {
    for (const link of page.data) {
      const serial = link.id.toUpperCase();
      if (wanted.has(serial)) assigned.add(serial);
    }
    if (assigned.size === wanted.size) break;
  }
  return assigned;
}
