// JSON:API documents as Apple shapes them (docs/apple-facts.md §5): resource objects, sparse fieldsets,
// single and collection documents.
import type { RequestContext } from './context.js';
import { encodeBrackets, type Page } from './paging.js';

export interface Linkage {
  type: string;
  id: string;
}

interface RelationshipObject {
  data?: Linkage | Linkage[] | null;
  links?: { self?: string; related?: string };
  meta?: { paging: { total?: number; limit: number; nextCursor?: string } };
}

export interface ResourceObject {
  type: string;
  id: string;
  attributes?: Record<string, unknown>;
  relationships?: Record<string, RelationshipObject | undefined>;
  links?: { self?: string };
}

export function selfLink(origin: string, type: string, id: string): { self: string } {
  return { self: `${origin}/v1/${type}/${id}` };
}

export function relationshipLinks(origin: string, type: string, id: string, rel: string): { self: string; related: string } {
  return {
    self: `${origin}/v1/${type}/${id}/relationships/${rel}`,
    related: `${origin}/v1/${type}/${id}/${rel}`,
  };
}

/** Keeps only the attributes and relationships named in `fields[<type>]`. */
export function sparse<R extends ResourceObject>(res: R, fields: readonly string[] | undefined): R {
  if (!fields) return res;
  const keep = new Set(fields);
  const out: R = { ...res };
  if (res.attributes) out.attributes = pick(res.attributes, keep);
  if (res.relationships) {
    const rels = pick(res.relationships, keep);
    if (Object.keys(rels).length > 0) out.relationships = rels;
    else delete out.relationships;
  }
  return out;
}

function pick<V>(obj: Record<string, V>, keep: ReadonlySet<string>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(obj)) if (keep.has(k)) out[k] = v;
  return out;
}

/** The request URL as echoed in links.self (a valid URI: brackets percent-encoded). */
function requestLink(ctx: RequestContext): string {
  return encodeBrackets(ctx.url.href);
}

function dedupe(resources: readonly ResourceObject[]): ResourceObject[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const k = `${r.type}/${r.id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function singleDocument(ctx: RequestContext, data: ResourceObject, included?: readonly ResourceObject[]) {
  return {
    data,
    ...(included ? { included: dedupe(included) } : {}),
    links: { self: requestLink(ctx) },
  };
}

export function collectionDocument(ctx: RequestContext, page: Page<ResourceObject>, included?: readonly ResourceObject[]) {
  const paging: { total: number; limit: number; nextCursor?: string } = { total: page.total, limit: page.limit };
  // nextCursor is in ASC 4.x PagingInformation; Enterprise 1.0 has no such field.
  if (page.nextCursor && ctx.api === 'app-store-connect') paging.nextCursor = page.nextCursor;
  return {
    data: page.items,
    ...(included ? { included: dedupe(included) } : {}),
    links: { self: requestLink(ctx), ...(page.nextUrl ? { next: page.nextUrl } : {}) },
    meta: { paging },
  };
}
