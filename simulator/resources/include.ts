// How many related resources an `include=` returns: `limit[<relationship>]` (max 50, checked by the query
// rules) or the simulator's default.
import type { RequestContext } from '../context.js';

export function includeLimit(ctx: RequestContext, relationship: string): number {
  return ctx.query.limit(`limit[${relationship}]`, ctx.env.defaultIncludeLimit);
}
