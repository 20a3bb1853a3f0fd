/** Resource shapes of the Apple Business / School Manager API that assign-devices reads (docs/apple-facts.md §3.2). */

export interface Linkage {
  type: string;
  id: string;
}

interface PagedLinks {
  self?: string;
  next?: string;
}

export interface OrgDevice {
  type: 'orgDevices';
  /** The serial number. */
  id: string;
  attributes?: {
    serialNumber?: string;
    /** e.g. ASSIGNED, UNASSIGNED. */
    status?: string;
    deviceModel?: string;
    productFamily?: string;
    productType?: string;
    [name: string]: unknown;
  };
}

export interface MdmServer {
  type: 'mdmServers';
  id: string;
  attributes?: {
    serverName?: string;
    serverType?: string;
    [name: string]: unknown;
  };
}

export interface OrgDeviceActivity {
  type: 'orgDeviceActivities';
  id: string;
  attributes?: {
    /** IN_PROGRESS, COMPLETED, FAILED or STOPPED; read as an open string. */
    status?: string;
    subStatus?: string;
    createdDateTime?: string;
    completedDateTime?: string;
    downloadUrl?: string;
    [name: string]: unknown;
  };
}

export interface Page<T> {
  data: T[];
  links?: PagedLinks;
  meta?: { paging?: { limit?: number; nextCursor?: string; total?: number } };
}

/** Apple Business collections allow up to 1000 items a page (docs/apple-facts.md §3.2). */
export const BUSINESS_PAGE_LIMIT = 1000;
