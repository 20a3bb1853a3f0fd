import { describe, expect, it } from 'vitest';
import {
  ACCEPTED_UNDECLARED_QUERY,
  DOCUMENTED_DEVIATIONS,
  assertTrafficValid,
  loadSpec,
  validateRequest,
  validateResponse,
  type RequestRecord,
} from './openapi.js';

const ASC = 'https://api.appstoreconnect.apple.com';
const auth = { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig', 'content-type': 'application/json' };

function rec(partial: Partial<RequestRecord> & Pick<RequestRecord, 'method' | 'path'>): RequestRecord {
  return { api: 'app-store-connect', query: {}, headers: { ...auth }, status: 200, ...partial };
}

const device = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  type: 'devices',
  id,
  attributes: {
    name: `iPhone ${id}`,
    platform: 'IOS',
    udid: `00008110-000E49383CF880${id.slice(0, 2)}`,
    deviceClass: 'IPHONE',
    status,
    model: 'iPhone 15',
    addedDate: '2024-08-22T14:48:45.638+00:00',
    ...extra,
  },
  links: { self: `${ASC}/v1/devices/${id}` },
});

const deviceCreate = (attributes: Record<string, unknown>) => ({ data: { type: 'devices', attributes } });

const conflict = {
  errors: [
    {
      id: '5c5c1e5e-8d7e-4c0f-9d6a-2f1c0e6a2b11',
      status: '409',
      code: 'ENTITY_ERROR',
      title: 'There is a problem with the request entity',
      detail: "A device with number '00008110-000E49383CF8801E' already exists on this team.",
      source: { pointer: '/data/attributes/udid' },
    },
  ],
};

describe('loadSpec', () => {
  it('loads both spec subsets with the paths the suite uses', () => {
    expect(loadSpec('app-store-connect').openapi).toBe('3.0.1');
    expect(Object.keys(loadSpec('enterprise').paths)).toContain('/v1/devices/{id}');
  });

  it('keeps the documented deviations to the two docs/apple-facts.md entries', () => {
    expect(DOCUMENTED_DEVIATIONS.map((d) => `${d.schema}:${d.extraEnum.join()}${'nullable' in d ? ':nullable' : ''}`)).toEqual([
      'Device:PROCESSING',
      'Profile:EXPIRED',
      'BundleIdPlatform:SERVICES',
      'Device::nullable',
    ]);
    expect(Object.keys(ACCEPTED_UNDECLARED_QUERY)).toEqual(['cursor']);
  });
});

describe('validateRequest', () => {
  it('accepts a correct device create', () => {
    const body = deviceCreate({ name: 'CI iPhone', udid: '00008110-000E49383CF8801E', platform: 'IOS' });
    expect(validateRequest(rec({ method: 'POST', path: '/v1/devices', body, status: 201 }))).toEqual([]);
  });

  it('refuses a device create without udid', () => {
    const problems = validateRequest(rec({ method: 'POST', path: '/v1/devices', body: deviceCreate({ name: 'x', platform: 'IOS' }) }));
    expect(problems.join('\n')).toMatch(/body: \/data\/attributes must have required property 'udid'/);
  });

  it('refuses an unknown query parameter', () => {
    const problems = validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { 'filter[serial]': 'X' } }));
    expect(problems).toEqual([expect.stringMatching(/query parameter filter\[serial\] is not declared for GET \/v1\/devices/)]);
  });

  it('refuses limit=500 (maximum 200)', () => {
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { limit: '500' } })).join()).toMatch(/limit=500: \/ must be <= 200/);
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { limit: '200' } }))).toEqual([]);
  });

  it('refuses a non-integer limit and a nested limit over 50', () => {
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { limit: 'ten' } })).join()).toMatch(/must be integer/);
    const nested = validateRequest(rec({ method: 'GET', path: '/v1/profiles', query: { include: 'devices', 'limit[devices]': '51' } }));
    expect(nested.join()).toMatch(/limit\[devices\]=51: \/ must be <= 50/);
  });

  it('refuses filter[platform]=WINDOWS', () => {
    const problems = validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { 'filter[platform]': 'IOS,WINDOWS' } }));
    expect(problems).toEqual([
      expect.stringMatching(/filter\[platform\]=IOS,WINDOWS: \/1 must be equal to one of the allowed values \(IOS, MAC_OS, UNIVERSAL\)/),
    ]);
  });

  it('accepts filter[udid]=a,b and fields[devices]=udid,status', () => {
    const query = { 'filter[udid]': 'a,b', 'fields[devices]': 'udid,status', 'filter[platform]': 'IOS', limit: '200', sort: '-name' };
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query }))).toEqual([]);
  });

  it("accepts cursor (from Apple's links.next) on paged operations only", () => {
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { cursor: 'AQ.AMn3', limit: '20' } }))).toEqual([]);
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices/ABC123DEF0', query: { cursor: 'AQ' } })).join()).toMatch(/cursor is not declared/);
  });

  it('refuses DELETE /v1/devices/{id} (Apple has none)', () => {
    expect(validateRequest(rec({ method: 'DELETE', path: '/v1/devices/ABC123DEF0', status: 204 }))).toEqual([
      'app-store-connect: /v1/devices/{id} has no DELETE operation (the spec has GET, PATCH)',
    ]);
  });

  it('refuses a path the spec does not have', () => {
    expect(validateRequest(rec({ method: 'GET', path: '/v1/gadgets' }))).toEqual(['app-store-connect: no path in the spec matches /v1/gadgets']);
  });

  it('refuses a GET with a body', () => {
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', body: {} }))).toEqual(['GET must not carry a body']);
  });

  it('refuses a request without authorization', () => {
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', headers: {} }))).toEqual(['authorization header is missing']);
  });

  it('accepts a nullable attribute in a device update but not the undocumented PROCESSING status', () => {
    const update = (status: unknown) => ({ data: { type: 'devices', id: 'ABC123DEF0', attributes: { name: null, status } } });
    expect(validateRequest(rec({ method: 'PATCH', path: '/v1/devices/ABC123DEF0', body: update('DISABLED') }))).toEqual([]);
    expect(validateRequest(rec({ method: 'PATCH', path: '/v1/devices/ABC123DEF0', body: update(null) }))).toEqual([]);
    expect(validateRequest(rec({ method: 'PATCH', path: '/v1/devices/ABC123DEF0', body: update('PROCESSING') })).join()).toMatch(
      /status must be equal to one of/,
    );
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { 'filter[status]': 'PROCESSING' } }))).toHaveLength(1);
  });

  it('accepts a ProfileCreateRequest with relationships', () => {
    const body = {
      data: {
        type: 'profiles',
        attributes: { name: 'CI com.example.app development', profileType: 'IOS_APP_DEVELOPMENT' },
        relationships: {
          bundleId: { data: { type: 'bundleIds', id: 'B7Q2W3E4R5' } },
          certificates: { data: [{ type: 'certificates', id: 'C1A2B3C4D5' }] },
          devices: {
            data: [
              { type: 'devices', id: 'ABC123DEF0' },
              { type: 'devices', id: 'ABC123DEF1' },
            ],
          },
        },
      },
    };
    expect(validateRequest(rec({ method: 'POST', path: '/v1/profiles', body, status: 201 }))).toEqual([]);
    const noCerts = structuredClone(body) as { data: { relationships: Record<string, unknown> } };
    delete noCerts.data.relationships.certificates;
    expect(validateRequest(rec({ method: 'POST', path: '/v1/profiles', body: noCerts })).join()).toMatch(/required property 'certificates'/);
  });

  it('enterprise: refuses filter[platform]=UNIVERSAL (its BundleIdPlatform is IOS|MAC_OS only)', () => {
    const e = (platform: string) => validateRequest(rec({ api: 'enterprise', method: 'GET', path: '/v1/devices', query: { 'filter[platform]': platform } }));
    expect(e('UNIVERSAL')).toEqual([expect.stringMatching(/must be equal to one of the allowed values \(IOS, MAC_OS\)/)]);
    expect(e('IOS,MAC_OS')).toEqual([]);
    // The same query is fine on App Store Connect, whose BundleIdPlatform has UNIVERSAL.
    expect(validateRequest(rec({ method: 'GET', path: '/v1/devices', query: { 'filter[platform]': 'UNIVERSAL' } }))).toEqual([]);
  });

  it('enterprise: refuses PATCH /v1/certificates/{id}, which only App Store Connect has', () => {
    const body = { data: { type: 'certificates', id: 'C1A2B3C4D5', attributes: { activated: false } } };
    expect(validateRequest(rec({ method: 'PATCH', path: '/v1/certificates/C1A2B3C4D5', body }))).toEqual([]);
    expect(validateRequest(rec({ api: 'enterprise', method: 'PATCH', path: '/v1/certificates/C1A2B3C4D5', body })).join()).toMatch(/no PATCH operation/);
  });
});

describe('validateResponse', () => {
  const page = {
    data: [device('ABC123DEF0', 'ENABLED'), device('ABC123DEF1', 'PROCESSING', { model: 'iPad Pro' }), device('ABC123DEF2', 'DISABLED')],
    links: { self: `${ASC}/v1/devices?limit=3`, next: `${ASC}/v1/devices?cursor=AQ.AMn3&limit=3` },
    meta: { paging: { total: 46, limit: 3, nextCursor: 'AQ.AMn3' } },
  };

  it('accepts a realistic DevicesResponse page with a PROCESSING device', () => {
    expect(validateResponse(rec({ method: 'GET', path: '/v1/devices', query: { limit: '3' }, responseBody: page }))).toEqual([]);
  });

  it('refuses a device status outside the spec and the documented deviations', () => {
    const bad = { ...page, data: [device('ABC123DEF0', 'INELIGIBLE')] };
    expect(validateResponse(rec({ method: 'GET', path: '/v1/devices', responseBody: bad })).join()).toMatch(
      /\/data\/0\/attributes\/status must be equal to one of the allowed values \(ENABLED, DISABLED, PROCESSING\)/,
    );
  });

  it('checks formats: refuses an addedDate that is no date-time', () => {
    const responseBody = { data: device('ABC123DEF0', 'ENABLED', { addedDate: 'yesterday' }), links: { self: `${ASC}/v1/devices/ABC123DEF0` } };
    expect(validateResponse(rec({ method: 'GET', path: '/v1/devices/ABC123DEF0', responseBody }))).toEqual([
      '200 body (DeviceResponse): /data/attributes/addedDate must match format "date-time"',
    ]);
  });

  it('refuses a DeviceResponse whose data lacks id', () => {
    const { id: _id, ...noId } = device('ABC123DEF0', 'ENABLED');
    const responseBody = { data: noId, links: { self: `${ASC}/v1/devices` } };
    expect(validateResponse(rec({ method: 'POST', path: '/v1/devices', status: 201, responseBody }))).toEqual([
      "201 body (DeviceResponse): /data must have required property 'id'",
    ]);
  });

  it("accepts Apple's 409 ErrorResponse", () => {
    expect(validateResponse(rec({ method: 'POST', path: '/v1/devices', status: 409, responseBody: conflict }))).toEqual([]);
  });

  it('refuses an error body with a numeric status', () => {
    const responseBody = { errors: [{ ...conflict.errors[0], status: 409 }] };
    expect(validateResponse(rec({ method: 'POST', path: '/v1/devices', status: 409, responseBody }))).toEqual([
      '409 body (ErrorResponse): /errors/0/status must be string',
    ]);
  });

  it('accepts a 204 with no body and refuses one with a body', () => {
    expect(validateResponse(rec({ method: 'DELETE', path: '/v1/profiles/P1A2B3C4D5', status: 204 }))).toEqual([]);
    expect(validateResponse(rec({ method: 'DELETE', path: '/v1/profiles/P1A2B3C4D5', status: 204, responseBody: {} })).join()).toMatch(/must have no body/);
  });

  it('refuses a success status the operation does not declare', () => {
    const responseBody = { data: device('ABC123DEF0', 'ENABLED'), links: { self: `${ASC}/v1/devices` } };
    expect(validateResponse(rec({ method: 'POST', path: '/v1/devices', status: 200, responseBody })).join()).toMatch(/status 200 is not declared/);
  });

  it('checks only the error shape of 5xx and fault-injected records', () => {
    expect(validateResponse(rec({ method: 'GET', path: '/v1/devices', status: 503, responseBody: 'Service Unavailable' })).join()).toMatch(/503 error body/);
    expect(validateResponse(rec({ method: 'GET', path: '/v1/devices', status: 0, fault: 'drop' }))).toEqual([]);
    const rateLimited = { errors: [{ status: '429', code: 'RATE_LIMIT_EXCEEDED', title: 'Rate limit', detail: 'Slow down' }] };
    expect(validateResponse(rec({ method: 'GET', path: '/v1/devices', status: 429, fault: 'rate-limit', responseBody: rateLimited }))).toEqual([]);
    // Enterprise declares no 429: tolerated, but the body must still be an ErrorResponse.
    expect(validateResponse(rec({ api: 'enterprise', method: 'GET', path: '/v1/devices', status: 429, responseBody: rateLimited }))).toEqual([]);
  });

  it('accepts a profiles list with include=bundleId,certificates,devices and included', () => {
    const profile = (id: string, profileState: string) => ({
      type: 'profiles',
      id,
      attributes: {
        name: `CI ${id}`,
        platform: 'IOS',
        profileType: 'IOS_APP_DEVELOPMENT',
        profileState,
        profileContent: 'MIAGCSqGSIb3DQEHAqCAMIACAQEx',
        uuid: '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
        createdDate: '2024-08-22T14:48:45.000+00:00',
        expirationDate: '2025-08-22T14:48:45.000+00:00',
      },
      relationships: {
        bundleId: { data: { type: 'bundleIds', id: 'B7Q2W3E4R5' }, links: { related: `${ASC}/v1/profiles/${id}/bundleId` } },
        certificates: { data: [{ type: 'certificates', id: 'C1A2B3C4D5' }], meta: { paging: { total: 1, limit: 50 } } },
        devices: { data: [{ type: 'devices', id: 'ABC123DEF0' }], meta: { paging: { total: 1, limit: 50 } } },
      },
      links: { self: `${ASC}/v1/profiles/${id}` },
    });
    const responseBody = {
      data: [profile('P1A2B3C4D5', 'ACTIVE'), profile('P1A2B3C4D6', 'EXPIRED')],
      included: [
        { type: 'bundleIds', id: 'B7Q2W3E4R5', attributes: { name: 'Example', platform: 'IOS', identifier: 'com.example.app', seedId: 'A1B2C3D4E5' } },
        {
          type: 'certificates',
          id: 'C1A2B3C4D5',
          attributes: {
            certificateType: 'DEVELOPMENT',
            displayName: 'Jane Doe',
            serialNumber: '1A2B',
            platform: 'IOS',
            expirationDate: '2025-08-22T14:48:45.000+00:00',
            activated: true,
          },
        },
        device('ABC123DEF0', 'ENABLED'),
      ],
      links: { self: `${ASC}/v1/profiles?include=bundleId,certificates,devices` },
      meta: { paging: { total: 2, limit: 20 } },
    };
    const r = rec({ method: 'GET', path: '/v1/profiles', query: { include: 'bundleId,certificates,devices', 'limit[devices]': '50' }, responseBody });
    expect(validateRequest(r)).toEqual([]);
    expect(validateResponse(r)).toEqual([]);
    // An included resource of a type the operation cannot include fits no branch of the oneOf.
    const wrong = { ...responseBody, included: [{ type: 'apps', id: '1' }] };
    expect(validateResponse({ ...r, responseBody: wrong }).join()).toMatch(/must match exactly one schema in oneOf/);
  });
});

describe('assertTrafficValid', () => {
  it('passes on valid traffic', () => {
    expect(() =>
      assertTrafficValid([rec({ method: 'GET', path: '/v1/devices', responseBody: { data: [], links: { self: `${ASC}/v1/devices` } } })]),
    ).not.toThrow();
  });

  it('throws one error listing every problem of every record with its method, path and query', () => {
    const records = [
      rec({ method: 'GET', path: '/v1/devices', query: { limit: '500' }, responseBody: { data: [] } }),
      rec({ method: 'DELETE', path: '/v1/devices/ABC123DEF0', status: 204 }),
      rec({ api: 'unknown', method: 'GET', path: '/v1/orgDevices' }),
    ];
    let message = '';
    try {
      assertTrafficValid(records);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('3 of 3 recorded exchanges');
    expect(message).toContain('#1 app-store-connect GET /v1/devices?limit=500 → 200');
    expect(message).toMatch(/limit=500: \/ must be <= 200/);
    expect(message).toMatch(/200 body \(DevicesResponse\): \/ must have required property 'links'/);
    expect(message).toContain('#2 app-store-connect DELETE /v1/devices/ABC123DEF0 → 204');
    expect(message.match(/has no DELETE operation/g)).toHaveLength(1); // request and response problems are de-duplicated
    expect(message).toContain('unknown API');
  });
});
