// Cursor paging as Apple does it (docs/apple-facts.md §1.4): default limit 20, max 200, absolute `links.next`
// carrying an opaque cursor and the limit, no `next` on the last page.

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  nextUrl?: string;
  nextCursor?: string;
}

/** Apple's cursors look like base64 of {"offset":"20"}; clients must treat them as opaque. */
function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset: String(offset) })).toString('base64url');
}

export function decodeCursor(cursor: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const offset = Number((parsed as { offset?: unknown }).offset);
    return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One page of `all`, starting at `offset`. `requestUrl` is the URL the client asked for; the next link
 * keeps its parameters and replaces cursor and limit.
 */
export function paginate<T>(all: readonly T[], offset: number, limit: number, requestUrl: URL): Page<T> {
  const items = all.slice(offset, offset + limit);
  const page: Page<T> = { items, total: all.length, limit };
  const nextOffset = offset + items.length;
  if (items.length > 0 && nextOffset < all.length) {
    const next = new URL(requestUrl.href);
    next.searchParams.delete('cursor');
    next.searchParams.delete('limit');
    const cursor = encodeCursor(nextOffset);
    next.searchParams.set('cursor', cursor);
    next.searchParams.set('limit', String(limit));
    page.nextUrl = encodeBrackets(next.href);
    page.nextCursor = cursor;
  }
  return page;
}

/** Links must be valid URIs: brackets in the query (filter[udid]) are percent-encoded. */
export function encodeBrackets(href: string): string {
  return href.replace(/\[/g, '%5B').replace(/\]/g, '%5D');
}

export function sortBy<T>(items: readonly T[], sort: readonly string[], value: (item: T, key: string) => string | number): T[] {
  if (sort.length === 0) return [...items];
  return [...items].sort((a, b) => {
    for (const s of sort) {
      const desc = s.startsWith('-');
      const key = desc ? s.slice(1) : s;
      const va = value(a, key);
      const vb = value(b, key);
      const c = va < vb ? -1 : va > vb ? 1 : 0;
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}
