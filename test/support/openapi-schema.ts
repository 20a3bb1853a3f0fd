// OpenAPI 3.0 schema objects → JSON Schema (draft-07) that ajv can compile.
// Used by ./openapi.ts; kept apart so the traffic checks stay readable.

export type JsonObject = { [key: string]: unknown };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keywords that are OpenAPI-only (or pure annotations ajv would warn about) and carry no validation. */
const DROPPED = new Set(['discriminator', 'example', 'externalDocs', 'xml', 'deprecated', 'readOnly', 'writeOnly']);

export interface ConvertOptions {
  /** `#/components/schemas/X` becomes `${refBase}#/components/schemas/X` (the $id the converted components live under). */
  refBase: string;
  /** Formats ajv knows (from ajv-formats). Any other `format` is dropped: unknown formats are ignored, not errors. */
  knownFormats: ReadonlySet<string>;
}

/**
 * Converts one OpenAPI 3.0 schema (recursively):
 * - `nullable: true` → `type: [t, 'null']` (and `null` added to an `enum`); without a `type`, → `anyOf: [schema, {type:'null'}]`;
 * - `$ref: '#/components/schemas/X'` → absolute ref under `refBase` (siblings of `$ref` are ignored, as OpenAPI 3.0 says);
 * - `discriminator`, `example`, `x-*` and other OpenAPI-only annotations dropped; unknown formats dropped;
 * - `additionalProperties` kept as given (Apple's specs leave objects open almost everywhere).
 */
export function toJsonSchema(node: unknown, opts: ConvertOptions): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, opts));
  if (!isObject(node)) return node;
  if (typeof node.$ref === 'string') {
    const ref = node.$ref;
    return { $ref: ref.startsWith('#/') ? `${opts.refBase}${ref}` : ref };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (key === 'format' && (typeof value !== 'string' || !opts.knownFormats.has(value))) continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = isObject(value) ? Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s, opts)])) : value;
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = typeof value === 'boolean' ? value : toJsonSchema(value, opts);
    } else {
      out[key] = value; // enum, required, type, maximum, title, description, … are the same in both dialects
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  // OpenAPI 3.0 (like draft-04) writes exclusiveMaximum/Minimum as booleans next to maximum/minimum.
  for (const [flag, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else if (typeof out[flag] === 'boolean') delete out[flag];
  }
  return out;
}

/** Converts every `components.schemas` entry; the result is a schema document to register with ajv under `$id: refBase`. */
export function componentsDocument(schemas: Record<string, unknown>, opts: ConvertOptions): JsonObject {
  const converted = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, toJsonSchema(s, opts)]));
  return { $id: opts.refBase, components: { schemas: converted } };
}

/** Walks `path` (property names) from `root`; undefined when any step is missing. */
export function dig(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const step of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[step];
  }
  return cur;
}
