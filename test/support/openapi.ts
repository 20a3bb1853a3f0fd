// Checks recorded HTTP traffic (what the client sent, what the simulator answered) against Apple's own OpenAPI
// specs: the subsets in src/generated/*.openapi.json (OpenAPI 3.0.1; devices, bundleIds, certificates, profiles).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { componentsDocument, dig, isObject, toJsonSchema, type JsonObject } from './openapi-schema.js';

/** One exchange as the simulator records it (structurally identical to the simulator's own type). */
export interface RequestRecord {
  api: 'app-store-connect' | 'enterprise' | 'unknown';
  method: string;
  path: string; // without the query, e.g. /v1/devices/ABC123DEF0
  query: Record<string, string>; // decoded, raw string values ('filter[udid]': 'a,b', limit: '200')
  headers: Record<string, string>; // lower-case names
  body?: unknown; // parsed JSON request body, if any
  status: number;
  responseBody?: unknown; // undefined for 204 or a dropped connection
  fault?: string;
}

export type SpecName = 'app-store-connect' | 'enterprise';

type Ref = { $ref: string };
interface ParameterObject {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
  style?: string;
  explode?: boolean;
}
interface MediaObject {
  content?: Record<string, { schema?: unknown }>;
  description?: string;
  required?: boolean;
}
interface OperationObject {
  operationId?: string;
  parameters?: (ParameterObject | Ref)[];
  requestBody?: MediaObject | Ref;
  responses: Record<string, MediaObject | Ref>;
  security?: Record<string, string[]>[];
}
type PathItem = { parameters?: (ParameterObject | Ref)[] } & { [method: string]: OperationObject | unknown };
export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, JsonObject>; [section: string]: unknown };
  security?: Record<string, string[]>[];
}

/**
 * Documented deviations: values Apple's servers really send that its spec does not list. Accepted in responses
 * only (a client must never send them), and only these. Each entry names the source in docs/apple-facts.md.
 */
export const DOCUMENTED_DEVIATIONS = [
  {
    schema: 'Device',
    at: ['properties', 'attributes', 'properties', 'status'],
    extraEnum: ['PROCESSING'],
    source: 'docs/apple-facts.md §1.5',
    why: 'newly registered devices report status PROCESSING (24–72 h); the spec lists ENABLED|DISABLED',
  },
  {
    schema: 'Profile',
    at: ['properties', 'attributes', 'properties', 'profileState'],
    extraEnum: ['EXPIRED'],
    source: 'docs/apple-facts.md §1.6',
    why: 'expired profiles can report profileState EXPIRED; the spec lists ACTIVE|INVALID',
  },
  {
    schema: 'BundleIdPlatform',
    at: [],
    extraEnum: ['SERVICES'],
    source: 'docs/apple-facts.md §1.8',
    why: 'real bundle IDs (service identifiers) can carry platform SERVICES; the spec lists IOS|MAC_OS|UNIVERSAL',
  },
  {
    schema: 'Device',
    at: ['properties', 'attributes', 'properties', 'model'],
    extraEnum: [],
    nullable: true,
    source: 'docs/apple-facts.md §1.5, §5',
    why: 'Apple sends model: null for devices it has no model for; the spec types it as a plain string',
  },
] as const satisfies readonly { schema: string; at: readonly string[]; extraEnum: readonly string[]; nullable?: true; source: string; why: string }[];

/** Query parameters no operation declares but Apple itself puts in `links.next` (docs/apple-facts.md §1.4): accepted on paged operations (those declaring `limit`). */
export const ACCEPTED_UNDECLARED_QUERY: Readonly<Record<string, string>> = {
  cursor: "opaque page cursor carried by Apple's links.next (docs/apple-facts.md §1.4)",
};

const FILES: Record<SpecName, string> = { 'app-store-connect': 'asc.openapi.json', enterprise: 'enterprise.openapi.json' };
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const BODYLESS = new Set(['GET', 'DELETE', 'HEAD']);
const MAX_ERRORS = 10;
const docs = new Map<SpecName, OpenApiDoc>();

export function loadSpec(name: SpecName): OpenApiDoc {
  let doc = docs.get(name);
  if (!doc) {
    const file = new URL(`../../src/generated/${FILES[name]}`, import.meta.url);
    doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDoc;
    docs.set(name, doc);
  }
  return doc;
}

interface SpecState {
  name: SpecName;
  doc: OpenApiDoc;
  ajv: Ajv;
  knownFormats: Set<string>;
  validators: Map<string, ValidateFunction>;
  routes: { template: string; regex: RegExp; item: PathItem }[];
}
type Variant = 'request' | 'response';
const states = new Map<SpecName, SpecState>();
const baseOf = (name: SpecName, variant: Variant) => `https://openapi.invalid/${name}/${variant}.json`;

function state(name: SpecName): SpecState {
  const existing = states.get(name);
  if (existing) return existing;
  const doc = loadSpec(name);
  const ajv = new Ajv({ strict: false, allErrors: true });
  formatsModule.default(ajv);
  const knownFormats = new Set(Object.keys(ajv.formats));
  const responseSchemas = structuredClone(doc.components.schemas);
  for (const d of DOCUMENTED_DEVIATIONS) {
    const target = dig(responseSchemas[d.schema], d.at);
    const nullable = 'nullable' in d && d.nullable;
    if (!isObject(target) || (d.extraEnum.length > 0 && !Array.isArray(target.enum)) || (nullable && target.type !== 'string')) {
      throw new Error(`documented deviation ${d.schema}.${d.at.join('.')} (${d.source}) no longer matches the ${name} spec`);
    }
    if (d.extraEnum.length > 0) target.enum = [...new Set([...(target.enum as unknown[]), ...d.extraEnum])];
    if (nullable) target.nullable = true;
  }
  ajv.addSchema(componentsDocument(doc.components.schemas, { refBase: baseOf(name, 'request'), knownFormats }));
  ajv.addSchema(componentsDocument(responseSchemas, { refBase: baseOf(name, 'response'), knownFormats }));
  const routes = Object.entries(doc.paths)
    .map(([template, item]) => ({
      template,
      item,
      regex: new RegExp(
        `^${template
          .split(/\{[^}]+\}/)
          .map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}$`,
      ),
      vars: template.split('{').length,
    }))
    .sort((a, b) => a.vars - b.vars); // literal segments win over templated ones
  const created: SpecState = { name, doc, ajv, knownFormats, validators: new Map(), routes };
  states.set(name, created);
  return created;
}

/** Follows a local `$ref` (`#/components/...`) until a non-ref object. */
function deref<T>(s: SpecState, node: T | Ref | undefined): T | undefined {
  let cur: unknown = node;
  for (let i = 0; i < 20 && isObject(cur) && typeof cur.$ref === 'string'; i++) {
    cur = dig(s.doc, cur.$ref.replace(/^#\//, '').split('/'));
  }
  return cur as T | undefined;
}

function validator(s: SpecState, key: string, schema: unknown, variant: Variant): ValidateFunction {
  const cacheKey = `${variant} ${key}`;
  let v = s.validators.get(cacheKey);
  if (!v) {
    v = s.ajv.compile(toJsonSchema(schema, { refBase: baseOf(s.name, variant), knownFormats: s.knownFormats }) as JsonObject);
    s.validators.set(cacheKey, v);
  }
  return v;
}

function describeError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const extra = Array.isArray(p.allowedValues)
    ? ` (${p.allowedValues.join(', ')})`
    : typeof p.additionalProperty === 'string'
      ? ` (${p.additionalProperty})`
      : '';
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
}

function check(v: ValidateFunction, value: unknown, label: string): string[] {
  if (v(value)) return [];
  const msgs = [...new Set((v.errors ?? []).map(describeError))];
  const shown = msgs.slice(0, MAX_ERRORS).map((m) => `${label}: ${m}`);
  if (msgs.length > MAX_ERRORS) shown.push(`${label}: … and ${msgs.length - MAX_ERRORS} more`);
  return shown;
}

interface Found {
  template: string;
  method: string;
  op: OperationObject;
  params: ParameterObject[];
}

function findOperation(s: SpecState, rec: RequestRecord): Found | string {
  const route = s.routes.find((r) => r.regex.test(rec.path));
  if (!route) return `${s.name}: no path in the spec matches ${rec.path}`;
  const method = rec.method.toLowerCase();
  const op = route.item[method] as OperationObject | undefined;
  if (!METHODS.includes(method) || !isObject(op)) {
    const allowed = METHODS.filter((m) => isObject(route.item[m])).map((m) => m.toUpperCase());
    return `${s.name}: ${route.template} has no ${rec.method.toUpperCase()} operation (the spec has ${allowed.join(', ')})`;
  }
  const params = new Map<string, ParameterObject>();
  for (const p of [...(route.item.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = deref<ParameterObject>(s, p);
    if (param) params.set(`${param.in} ${param.name}`, param); // operation-level entries override path-level ones
  }
  return { template: route.template, method: method.toUpperCase(), op, params: [...params.values()] };
}

/** A raw query string value → the JSON value its schema describes (form style, explode=false: arrays are comma-separated). */
function coerce(s: SpecState, raw: string, schema: unknown): unknown {
  const sch = deref<JsonObject>(s, schema as JsonObject);
  if (sch?.type === 'array') return raw.split(',').map((item) => coerce(s, item, sch.items));
  if ((sch?.type === 'integer' || sch?.type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (sch?.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function specOf(rec: RequestRecord, spec?: SpecName): SpecName | undefined {
  return spec ?? (rec.api === 'unknown' ? undefined : rec.api);
}

export function validateRequest(rec: RequestRecord, spec?: SpecName): string[] {
  const name = specOf(rec, spec);
  if (!name) return ['request went to an unknown API (neither App Store Connect nor Enterprise)'];
  const s = state(name);
  const found = findOperation(s, rec);
  if (typeof found === 'string') return [found];
  const { template, method, op, params } = found;
  const where = `${method} ${template}`;
  const problems: string[] = [];

  const query = params.filter((p) => p.in === 'query');
  for (const [key, raw] of Object.entries(rec.query)) {
    const param = query.find((p) => p.name === key);
    if (!param) {
      const paged = query.some((p) => p.name === 'limit');
      if (key in ACCEPTED_UNDECLARED_QUERY && paged && raw !== '') continue;
      problems.push(`query parameter ${key} is not declared for ${where} (declared: ${query.map((p) => p.name).join(', ') || 'none'})`);
      continue;
    }
    const v = validator(s, `${where} query ${key}`, param.schema ?? {}, 'request');
    problems.push(...check(v, coerce(s, raw, param.schema), `query ${key}=${raw}`));
  }
  for (const p of params) {
    if (!p.required || p.in === 'path') continue; // path parameters are present by construction of the match
    const present = p.in === 'query' ? p.name in rec.query : p.in === 'header' ? p.name.toLowerCase() in rec.headers : true;
    if (!present) problems.push(`required ${p.in} parameter ${p.name} is missing for ${where}`);
  }

  const security = op.security ?? s.doc.security ?? [];
  if (security.length > 0) {
    const auth = rec.headers['authorization'];
    const bearer = security.some((req) => Object.keys(req).some((k) => s.doc.components.securitySchemes?.[k]?.scheme === 'bearer'));
    if (!auth) problems.push('authorization header is missing');
    else if (bearer && !/^Bearer \S+$/.test(auth)) problems.push('authorization header is not "Bearer <token>"');
  }

  const requestBody = deref<MediaObject>(s, op.requestBody);
  const bodySchema = requestBody?.content?.['application/json']?.schema;
  if (rec.body !== undefined) {
    if (BODYLESS.has(method)) problems.push(`${method} must not carry a body`);
    else if (!requestBody) problems.push(`${where} declares no request body, but one was sent`);
    else {
      if (!/^application\/json\b/i.test(rec.headers['content-type'] ?? '')) problems.push('body sent without content-type: application/json');
      if (bodySchema) problems.push(...check(validator(s, `${where} body`, bodySchema, 'request'), rec.body, 'body'));
    }
  } else if (requestBody?.required) {
    problems.push(`${where} requires a body (${refName(op.requestBody) ?? refName(bodySchema) ?? 'application/json'})`);
  }
  return problems;
}

function refName(node: unknown): string | undefined {
  return isObject(node) && typeof node.$ref === 'string' ? node.$ref.split('/').pop() : undefined;
}

export function validateResponse(rec: RequestRecord, spec?: SpecName): string[] {
  const name = specOf(rec, spec);
  if (!name) return []; // validateRequest already reports the unknown API
  const s = state(name);
  const hasBody = rec.responseBody !== undefined && rec.responseBody !== '';
  const errorBody = (label: string) =>
    hasBody ? check(validator(s, 'ErrorResponse', { $ref: '#/components/schemas/ErrorResponse' }, 'response'), rec.responseBody, label) : [];
  // Injected faults and server errors: Apple declares no 5xx, so only the shape of an error body (if any) is checked.
  if (rec.fault !== undefined || rec.status >= 500) return errorBody(`${rec.status} error body`);
  const found = findOperation(s, rec);
  if (typeof found === 'string') return [found];
  const { template, method, op } = found;
  const where = `${method} ${template}`;
  const code = String(rec.status);
  const declared = op.responses[code] ?? op.responses[`${code[0]}XX`] ?? op.responses['default'];
  if (!declared) {
    // An error status Apple's spec omits for this operation (e.g. 429 on Enterprise, whose spec declares none):
    // tolerated, but the body must still be Apple's ErrorResponse. Undeclared success statuses are problems.
    if (rec.status >= 400) return errorBody(`${code} error body (status not declared for ${where})`);
    return [`status ${code} is not declared for ${where} (declared: ${Object.keys(op.responses).join(', ')})`];
  }
  const response = deref<MediaObject>(s, declared);
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) return hasBody ? [`${code} for ${where} must have no body ("${response?.description ?? ''}")`] : [];
  const label = `${code} body (${refName(schema) ?? 'response'})`;
  if (!hasBody) return [`${code} for ${where} has no body; expected ${refName(schema) ?? 'a JSON body'}`];
  return check(validator(s, `${where} ${code}`, schema, 'response'), rec.responseBody, label);
}

/** `GET /v1/devices?filter[udid]=a,b → 200`, for problem reports. */
export function describeRecord(rec: RequestRecord): string {
  const q = Object.entries(rec.query)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${rec.api} ${rec.method.toUpperCase()} ${rec.path}${q ? `?${q}` : ''} → ${rec.status}${rec.fault ? ` (fault: ${rec.fault})` : ''}`;
}

/** Throws one Error listing every request and response problem of every record; returns when all traffic fits the specs. */
export function assertTrafficValid(records: RequestRecord[]): void {
  const reports: string[] = [];
  records.forEach((rec, i) => {
    const problems = [...new Set([...validateRequest(rec), ...validateResponse(rec)])];
    if (problems.length) reports.push(`#${i + 1} ${describeRecord(rec)}\n${problems.map((p) => `    - ${p}`).join('\n')}`);
  });
  if (reports.length) {
    throw new Error(`${reports.length} of ${records.length} recorded exchanges break Apple's OpenAPI spec:\n${reports.join('\n')}`);
  }
}
