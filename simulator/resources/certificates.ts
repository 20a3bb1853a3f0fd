// /v1/certificates: list, read, create from a CSR, activate/deactivate (ASC 4.x), delete = revoke (docs/apple-facts.md §1.7).
import { param, type Reply, type RequestContext, type Route } from '../context.js';
import { issueCertificateRecord } from '../certificate-issuer.js';
import { csrPublicKey } from '../csr.js';
import { ApiError, attributeInvalid, entityError, notFound } from '../errors.js';
import { invalidListValue } from '../query.js';
import { singleDocument, sparse } from '../jsonapi.js';
import { certificateResource } from '../render.js';
import { onlyAttributes, requestData, requiredEnum, requiredString } from '../request-body.js';
import { CERTIFICATE_TYPES, DEVELOPER_ID_CERTIFICATE_TYPES, certificateKindLabel } from '../signing-types.js';
import type { CertificateRecord } from '../types.js';
import { caseless, exact, listReply } from './listing.js';

function getCertificate(ctx: RequestContext): CertificateRecord {
  const id = param(ctx, 'id');
  const c = ctx.account.certificates.get(id);
  if (!c) throw notFound('certificates', id);
  return c;
}

function list(ctx: RequestContext): Reply {
  for (const type of ctx.query.list('filter[certificateType]') ?? []) {
    if (ctx.env.rejectedCertificateTypeFilters.includes(type)) throw invalidListValue('filter[certificateType]', type);
  }
  return listReply(ctx, [...ctx.account.certificates.values()], {
    type: 'certificates',
    filters: {
      'filter[displayName]': exact((c) => c.displayName),
      'filter[certificateType]': exact((c) => c.certificateType),
      'filter[serialNumber]': caseless((c) => c.serialNumber),
      'filter[id]': exact((c) => c.id),
    },
    sortValue: (c, key) => (key === 'id' ? c.id : c[key as 'displayName' | 'certificateType' | 'serialNumber']),
    render: (c) => certificateResource(c, ctx.origin),
    included: () => [], // passTypeId: the simulator has no pass type IDs
  });
}

function read(ctx: RequestContext): Reply {
  const c = getCertificate(ctx);
  const included = ctx.query.include.size > 0 ? [] : undefined;
  return { status: 200, body: singleDocument(ctx, sparse(certificateResource(c, ctx.origin), ctx.query.fields('certificates')), included) };
}

function create(ctx: RequestContext): Reply {
  const { attributes } = requestData(ctx.body, 'certificates');
  onlyAttributes(attributes, 'certificates', ['csrContent', 'certificateType']);
  const certificateType = requiredEnum(attributes, 'certificateType', CERTIFICATE_TYPES[ctx.api]);
  const csrContent = requiredString(attributes, 'csrContent');
  const publicKey = csrPublicKey(csrContent);
  if (!publicKey) throw attributeInvalid('csrContent', csrContent.length > 40 ? `${csrContent.slice(0, 40)}…` : csrContent);
  if (DEVELOPER_ID_CERTIFICATE_TYPES.includes(certificateType) && !ctx.env.allowDeveloperIdCertificateCreation) {
    throw new ApiError(
      409,
      'ENTITY_ERROR.ATTRIBUTE.INVALID',
      'An attribute in the provided entity has invalid value',
      `Certificates of type '${certificateType}' cannot be created through the API. The Account Holder can create them on the Apple Developer website.`,
      { pointer: '/data/attributes/certificateType' },
    );
  }
  const now = ctx.env.now().getTime();
  const current = [...ctx.account.certificates.values()].filter((c) => c.certificateType === certificateType && c.expirationDate.getTime() > now);
  if (current.length >= ctx.env.certificateLimit(certificateType)) {
    throw entityError(`You already have a current ${certificateKindLabel(certificateType)} certificate or a pending certificate request.`);
  }
  // Apple shows who made a certificate in displayName; for one made through the API that is "Created via API".
  const cert = { ...issueCertificateRecord(ctx.env, { api: ctx.api, certificateType, publicKey }), displayName: 'Created via API' };
  ctx.account.certificates.set(cert.id, cert);
  return { status: 201, body: singleDocument(ctx, certificateResource(cert, ctx.origin)) };
}

function update(ctx: RequestContext): Reply {
  const c = getCertificate(ctx);
  const { attributes } = requestData(ctx.body, 'certificates', c.id);
  onlyAttributes(attributes, 'certificates', ['activated']);
  const activated = attributes['activated'];
  if (activated !== undefined && activated !== null && typeof activated !== 'boolean') throw attributeInvalid('activated', activated);
  if (typeof activated === 'boolean') c.activated = activated;
  return { status: 200, body: singleDocument(ctx, certificateResource(c, ctx.origin)) };
}

/** Revokes: the certificate is gone, profiles holding it become INVALID. */
function remove(ctx: RequestContext): Reply {
  ctx.account.removeCertificate(getCertificate(ctx).id);
  return { status: 204 };
}

export const certificateRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/certificates', handle: list },
  { method: 'POST', pattern: '/v1/certificates', handle: create },
  { method: 'GET', pattern: '/v1/certificates/{id}', handle: read },
  { method: 'PATCH', pattern: '/v1/certificates/{id}', handle: update },
  { method: 'DELETE', pattern: '/v1/certificates/{id}', handle: remove },
];
