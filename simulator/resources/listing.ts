// The common GET-collection pipeline: filter, sort, page, sparse fieldsets, included resources.
import type { Reply, RequestContext } from '../context.js';
import { collectionDocument, sparse, type ResourceObject } from '../jsonapi.js';
import { paginate, sortBy } from '../paging.js';

export type FilterPredicate<T> = (item: T, values: string[]) => boolean;

export interface ListOptions<T> {
  type: string;
  filters?: Readonly<Record<string, FilterPredicate<T>>>;
  sortValue?: (item: T, key: string) => string | number;
  render: (item: T) => ResourceObject;
  /** Resources for `included` (only called when the request has include=…). */
  included?: (pageItems: readonly T[]) => ResourceObject[];
}

export function listReply<T>(ctx: RequestContext, items: readonly T[], opts: ListOptions<T>): Reply {
  const q = ctx.query;
  const filters = Object.entries(opts.filters ?? {});
  const matching = items.filter((item) =>
    filters.every(([param, pred]) => {
      const values = q.list(param);
      return values === undefined || pred(item, values);
    }),
  );
  const sorted = opts.sortValue ? sortBy(matching, q.sort, opts.sortValue) : matching;
  const page = paginate(sorted, q.offset, q.limit(), ctx.url);
  const fields = q.fields(opts.type);
  const data = page.items.map((item) => sparse(opts.render(item), fields));
  const included = opts.included && q.include.size > 0 ? opts.included(page.items) : undefined;
  return { status: 200, body: collectionDocument(ctx, { ...page, items: data }, included) };
}

/** Exact match against any of the filter's values. */
export const exact =
  <T>(get: (item: T) => string): FilterPredicate<T> =>
  (item, values) =>
    values.includes(get(item));

/** Case-insensitive match against any of the filter's values. */
export const caseless =
  <T>(get: (item: T) => string): FilterPredicate<T> =>
  (item, values) =>
    values.some((v) => v.toLowerCase() === get(item).toLowerCase());

/** A to-many linkage read (`/v1/<type>/{id}/relationships/<rel>`): the related ids as `{type, id}`, paged like a list. */
export function linkageReply(ctx: RequestContext, type: string, ids: readonly string[]): Reply {
  return listReply(ctx, ids, { type, render: (id) => ({ type, id }) });
}
