/**
 * Serial-number lists as users write them: one a line, or separated by commas, semicolons, spaces or
 * tabs; `#` comments. A CSV export whose header has a "Serial Number" column is read by that column.
 */
import { InputError } from '../core/errors.js';

export interface SerialList {
  /** Upper-case, de-duplicated, in list order. */
  serials: string[];
  duplicates: string[];
}

const SERIAL_RE = /^[A-Z0-9]{8,20}$/;
const HEADER_CELL_RE = /^\W*serial(\s*(number|no\.?|#))?\W*$/i;

function unquote(t: string): string {
  return t
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim();
}

function tokens(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .filter((line) => line.trim() !== '');
  const first = lines[0];
  if (first !== undefined && /[,\t;]/.test(first)) {
    const sep = first.includes('\t') ? '\t' : first.includes(';') && !first.includes(',') ? ';' : ',';
    const column = first.split(sep).findIndex((cell) => HEADER_CELL_RE.test(unquote(cell)));
    if (column >= 0) return lines.slice(1).map((line) => unquote(line.split(sep)[column] ?? ''));
  }
  return lines
    .filter((line) => !HEADER_CELL_RE.test(unquote(line)))
    .flatMap((line) => line.split(/[\s,;]+/))
    .map(unquote);
}

export function parseSerials(text: string, input: string): SerialList {
  const all = tokens(text)
    .map((t) => t.toUpperCase())
    .filter((t) => t !== '');
  const bad = all.filter((t) => !SERIAL_RE.test(t));
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 10)
      .map((b) => `'${b}'`)
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
