/**
 * Serial-number lists as users write them: one a line, or separated by commas, semicolons, spaces or
 * tabs; `#` comments. A CSV export whose header has a "Serial Number" column is read by that column,
 * wherever it is. Quoted cells are read as CSV; in a list without a header, a quoted cell holding
 * words (a model name such as "iPad Pro (11-inch), Wi-Fi") is a label and not a serial number.
 */
import { InputError } from '../core/errors.js';
import { headerKey, listLines, splitCells, type Cell, type ListLine } from '../core/list-input.js';
import { quoteValue } from '../core/redact.js';

export interface SerialList {
  /** Upper-case, de-duplicated, in list order. */
  serials: string[];
  duplicates: string[];
}

const SERIAL_RE = /^[A-Z0-9]{8,20}$/i;
/** Header cells (see headerKey) of a serial-number column. */
const SERIAL_HEADERS = new Set(['serial', 'serialnumber', 'serialno', 'serial#', 'serialnumbers']);

const isHeader = (cell: Cell): boolean => SERIAL_HEADERS.has(headerKey(cell.value));

/** The list's separator: the one its first line uses (tab, else semicolon without commas, else comma). */
function separatorOf(first: string): string {
  if (first.includes('\t')) return '\t';
  return first.includes(';') && !first.includes(',') ? ';' : ',';
}

function tokens(lines: ListLine[]): string[] {
  const first = lines[0];
  if (first === undefined) return [];
  const sep = separatorOf(first.text);
  const header = splitCells(first.text, sep, true);
  const column = header.findIndex(isHeader);
  if (column >= 0 && header.length > 1) return lines.slice(1).map((l) => splitCells(l.text, sep, true)[column]?.value ?? '');
  return lines.flatMap((l) => {
    const cells = splitCells(l.text, ',;\t', true);
    if (cells.length === 1 && isHeader(cells[0] as Cell)) return [];
    return cells.flatMap((c) => {
      if (c.quoted) return /\s/.test(c.value) ? [] : [c.value];
      return c.value.split(/\s+/).map((t) => t.replace(/^['"]|['"]$/g, ''));
    });
  });
}

export function parseSerials(text: string, input: string): SerialList {
  const all = tokens(listLines(text, input))
    .map((t) => t.toUpperCase())
    .filter((t) => t !== '');
  const bad = all.filter((t) => !SERIAL_RE.test(t));
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 10)
      .map((b) => quoteValue(b))
      .join(', ');
    throw new InputError(
      input,
      `Input ${input} has ${bad.length === 1 ? 'an entry that is not a serial number' : `${bad.length} entries that are not serial numbers`} (${shown}${bad.length > 10 ? ', …' : ''}); give serial numbers of 8 to 20 letters and digits, one a line or separated by commas.`,
    );
  }
  const seen = new Set<string>();
  const serials: string[] = [];
  const duplicates: string[] = [];
  for (const t of all) {
    if (seen.has(t)) duplicates.push(t);
    else {
      seen.add(t);
      serials.push(t);
    }
  }
  return { serials, duplicates };
}
