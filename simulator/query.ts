// Query parameters per operation (spec-params.ts, from the OpenAPI specs), validated the way Apple does:
// unknown parameter -> 400 PARAMETER_ERROR.ILLEGAL, bad value -> 400 PARAMETER_ERROR.INVALID.
import { parameterIllegal, parameterInvalid } from './errors.js';
import { decodeCursor } from './paging.js';

type ParamRule = { kind: 'list'; values?: readonly string[] } | { kind: 'limit'; max: number } | { kind: 'cursor' };

export type QuerySpec = Readonly<Record<string, ParamRule>>;

export class ParsedQuery {
  constructor(readonly raw: Readonly<Record<string, string>>) {}

  /** A comma-separated list parameter (filters), or undefined when absent. */
  list(name: string): string[] | undefined {
    const v = this.raw[name];
    return v === undefined ? undefined : splitList(v);
  }

  limit(name = 'limit', fallback = 20): number {
    const v = this.raw[name];
    return v === undefined ? fallback : Number(v);
  }

  /** Sparse fieldset for a resource type (`fields[devices]=name,udid`), or undefined for all fields. */
  fields(type: string): string[] | undefined {
    return this.list(`fields[${type}]`);
  }

  get include(): Set<string> {
    return new Set(this.list('include') ?? []);
  }

  get sort(): string[] {
    return this.list('sort') ?? [];
  }

  get offset(): number {
    const c = this.raw['cursor'];
    return c === undefined ? 0 : (decodeCursor(c) ?? 0);
  }
}

function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim());
}

export function validateQuery(params: URLSearchParams, spec: QuerySpec): ParsedQuery {
  const raw: Record<string, string> = {};
  for (const [name, value] of params) {
    const rule = spec[name];
    if (!rule) throw parameterIllegal(name);
    checkValue(name, value, rule);
    raw[name] = value;
  }
  return new ParsedQuery(raw);
}

function checkValue(name: string, value: string, rule: ParamRule): void {
  switch (rule.kind) {
    case 'limit': {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1) {
        throw parameterInvalid(name, `The parameter '${name}' must be a positive integer, but '${value}' was provided.`);
      }
      if (n > rule.max) {
        throw parameterInvalid(name, `The parameter '${name}' exceeds the maximum allowed value of ${rule.max}.`);
      }
      return;
    }
    case 'cursor':
      if (decodeCursor(value) === undefined) throw parameterInvalid(name, `'${value}' is not a valid cursor for this request.`);
      return;
    case 'list':
      for (const v of splitList(value)) {
        if (v === '') throw parameterInvalid(name, `The parameter '${name}' cannot have an empty value.`);
        if (rule.values && !rule.values.includes(v)) throw invalidListValue(name, v);
      }
      return;
  }
}

/** 400 PARAMETER_ERROR.INVALID for one value of a list parameter. */
export function invalidListValue(name: string, value: string) {
  return parameterInvalid(name, `'${value}' is not a valid value for the parameter '${name}'.`);
}
