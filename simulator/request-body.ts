// Reading JSON:API request documents ({ data: { type, id?, attributes, relationships } }) strictly.
import { ApiError, attributeInvalid, attributeRequired, entityInvalid, entityUnprocessable, relationshipInvalid, relationshipRequired } from './errors.js';

export interface RequestData {
  attributes: Record<string, unknown>;
  relationships: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `data` of a create (no id) or update (id must equal the path's) request of resource `type`. */
export function requestData(body: unknown, type: string, id?: string): RequestData {
  if (!isObject(body) || !isObject(body['data'])) throw entityUnprocessable('The request entity must be a JSON:API document with a data object.');
  const data = body['data'];
  if (data['type'] !== type) {
    throw entityInvalid(`The provided entity type '${String(data['type'])}' is not valid for this request; expected '${type}'.`, '/data/type');
  }
  if (id !== undefined && data['id'] !== id) {
    throw entityInvalid(`The provided entity id '${String(data['id'])}' does not match the id '${id}' in the request path.`, '/data/id');
  }
  const attributes = data['attributes'] ?? {};
  const relationships = data['relationships'] ?? {};
  if (!isObject(attributes)) throw entityInvalid('The attributes of the provided entity must be an object.', '/data/attributes');
  if (!isObject(relationships)) throw entityInvalid('The relationships of the provided entity must be an object.', '/data/relationships');
  return { attributes, relationships };
}

export function requiredString(attrs: Record<string, unknown>, name: string): string {
  const v = attrs[name];
  if (v === undefined || v === null || v === '') throw attributeRequired(name);
  if (typeof v !== 'string') throw attributeInvalid(name, v);
  return v;
}

/** A nullable optional string attribute: undefined when absent or null. */
export function optionalString(attrs: Record<string, unknown>, name: string): string | undefined {
  const v = attrs[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw attributeInvalid(name, v);
  return v;
}

export function requiredEnum<T extends string>(attrs: Record<string, unknown>, name: string, values: readonly T[]): T {
  const v = requiredString(attrs, name);
  if (!(values as readonly string[]).includes(v)) throw attributeInvalid(name, v);
  return v as T;
}

/** Ids of a relationship `{ data: {type,id} | [{type,id}] }`; [] when absent and not required. */
export function linkageIds(rels: Record<string, unknown>, name: string, type: string, required: boolean): string[] {
  const rel = rels[name];
  if (rel === undefined || rel === null) {
    if (required) throw relationshipRequired(name);
    return [];
  }
  if (!isObject(rel)) throw relationshipInvalid(name, `The relationship '${name}' must be an object with data.`);
  const data = rel['data'];
  if (data === undefined || data === null) {
    if (required) throw relationshipRequired(name);
    return [];
  }
  const items = Array.isArray(data) ? data : [data];
  return items.map((item: unknown) => {
    if (!isObject(item) || item['type'] !== type || typeof item['id'] !== 'string') {
      throw relationshipInvalid(name, `The relationship '${name}' must reference resources of type '${type}'.`);
    }
    return item['id'];
  });
}

/** Apple refuses attributes a resource does not have (or that cannot be set by this request). */
export function onlyAttributes(attrs: Record<string, unknown>, type: string, allowed: readonly string[]): void {
  for (const name of Object.keys(attrs)) {
    if (!allowed.includes(name)) {
      throw new ApiError(
        409,
        'ENTITY_ERROR.ATTRIBUTE.UNKNOWN',
        'The provided entity includes an unknown attribute',
        `'${name}' is not a valid attribute for this request on the resource '${type}'.`,
        { pointer: `/data/attributes/${name}` },
      );
    }
  }
}
