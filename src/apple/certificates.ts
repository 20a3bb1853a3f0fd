/** /v1/certificates: read functions shared by ensure-profile and download-certificate. */
import { AppleApiError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Certificate, CertificateType } from './types.js';

export interface CertificateFilter {
  /** Only these certificate types (Apple's `filter[certificateType]`). */
  types?: readonly CertificateType[];
  /** Only these ids (`filter[id]`). */
  ids?: readonly string[];
}

const TYPE_FILTER = 'filter[certificateType]';

/** Apple's 400 for a value of the certificate-type filter (PARAMETER_ERROR.INVALID naming the parameter). */
function typeFilterRefused(err: unknown): boolean {
  return err instanceof AppleApiError && err.status === 400 && err.errors.some((e) => e.source?.parameter === TYPE_FILTER || e.detail.includes(TYPE_FILTER));
}

/**
 * Every certificate on the account that matches the filter, over all pages. Apple has answered 400 to
 * type values its own spec lists (DEVELOPER_ID_APPLICATION_G2 in the type filter, reported in 2025), so
 * when it refuses the type filter the listing is made without it and the types are filtered here.
 */
export async function listCertificates(http: AppleHttpClient, filter: CertificateFilter = {}): Promise<Certificate[]> {
  const query: Record<string, readonly string[]> = {};
  if (filter.ids && filter.ids.length > 0) query['filter[id]'] = filter.ids;
  const types = filter.types && filter.types.length > 0 ? filter.types : undefined;
  if (!types) return (await http.all<Certificate>('/v1/certificates', query)).data;
  try {
    return (await http.all<Certificate>('/v1/certificates', { ...query, [TYPE_FILTER]: types })).data;
  } catch (err) {
    if (!typeFilterRefused(err)) throw err;
    const { data } = await http.all<Certificate>('/v1/certificates', query);
    return data.filter((c) => c.attributes?.certificateType !== undefined && types.includes(c.attributes.certificateType));
  }
}

/** One certificate by resource id (Apple answers 404 when there is none). */
export async function getCertificate(http: AppleHttpClient, id: string): Promise<Certificate> {
  return (await http.get<{ data: Certificate }>(`/v1/certificates/${encodeURIComponent(id)}`)).body.data;
}

/** Whether a certificate is usable at `now`: not expired and not deactivated. */
export function certificateValid(cert: Certificate, now: Date): boolean {
  const expires = cert.attributes?.expirationDate;
  if (!expires) return false;
  if (cert.attributes?.activated === false) return false;
  return Date.parse(expires) > now.getTime();
}

/**
 * POST /v1/certificates: Apple signs the CSR (PEM text) as a certificate of `certificateType`. A write:
 * not retried blindly (the HTTP client re-sends only what never reached Apple), since a second
 * certificate counts against Apple's cap.
 */
export async function createCertificate(http: AppleHttpClient, certificateType: CertificateType, csrPem: string): Promise<Certificate> {
  const body = { data: { type: 'certificates', attributes: { certificateType, csrContent: csrPem } } };
  return (await http.post<{ data: Certificate }>('/v1/certificates', body)).body.data;
}

/** DELETE /v1/certificates/{id}: revokes the certificate (Apple marks profiles holding it INVALID). */
export async function deleteCertificate(http: AppleHttpClient, id: string): Promise<void> {
  await http.delete(`/v1/certificates/${encodeURIComponent(id)}`);
}
