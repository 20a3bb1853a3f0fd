/** Job summary content, built as plain data so every front end can render it. */
import { escapeControls } from '../../core/log.js';

export interface SummaryTable {
  heading: string;
  /** First row is the header. Cells are plain text; they are escaped when rendered as HTML. */
  rows: string[][];
  /** Plain-text lines shown under the table. */
  notes?: string[];
}

/**
 * Text for the HTML job summary. Controls are escaped too: a blank line inside a cell would end the
 * HTML block and let the rest of a name render as Markdown (links, images).
 */
export function escapeHtml(text: string): string {
  return escapeControls(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The summary tables of a result, as a list (an action that composes others has several). */
export function summaryTables(result: { summary?: SummaryTable | readonly SummaryTable[] }): readonly SummaryTable[] {
  if (!result.summary) return [];
  return 'heading' in result.summary ? [result.summary] : result.summary;
}
