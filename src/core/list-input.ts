/**
 * The one reader of the lists users give (device lists, serial-number lists): files in UTF-8 or
 * UTF-16, lines of bounded length, and quote-aware CSV cells. Every step is one linear pass.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError } from './errors.js';
import { quoteValue } from './redact.js';

/** Longest line accepted: a device or serial line is far shorter; a longer one is not a list. */
const MAX_LINE_LENGTH = 4096;
/** Largest list file read (thousands of serial numbers fit many times over). */
const MAX_LIST_FILE_BYTES = 16 * 1024 * 1024;

export interface ListLine {
  /** 1-based line number in the input. */
  line: number;
  /** The line, trimmed. */
  text: string;
}

/**
 * A list file's bytes as text: UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark,
 * little- or big-endian. UTF-16 without a mark is refused with a sentence naming it.
 */
export function decodeListBytes(bytes: Buffer, input: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const unmarked = utf16WithoutMark(bytes);
  if (unmarked) {
    throw new InputError(
      input,
      `Input ${input} is UTF-16 ${unmarked} text without a byte-order mark; save it as UTF-8 (or UTF-16 with a byte-order mark) and run again.`,
    );
  }
  return new TextDecoder('utf-8').decode(bytes.subarray(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0));
}

/** 'LE' or 'BE' when most of the first bytes alternate with NULs the way ASCII text in UTF-16 does. */
function utf16WithoutMark(bytes: Buffer): 'LE' | 'BE' | undefined {
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.7 && evenNul === 0) return 'LE';
  if (evenNul >= pairs * 0.7 && oddNul === 0) return 'BE';
  return undefined;
}

/** Reads a list file named by an input, bounded in size, as text (see decodeListBytes). */
export async function readListFile(file: string, input: string): Promise<string> {
  let bytes: Buffer;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_LIST_FILE_BYTES) {
      throw new InputError(
        input,
        `Input ${input} is a file of ${size} bytes; a list is at most ${MAX_LIST_FILE_BYTES} bytes, so check that it names the right file.`,
      );
    }
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      input,
      `Input ${input} is ${quoteValue(file)}, but no readable file is there; give a path relative to the workspace (check out the repository first).`,
    );
  }
  return decodeListBytes(bytes, input);
}

/**
 * The lines that say something: trimmed, without blank lines and `#` comment lines. A line longer
 * than MAX_LINE_LENGTH refuses the whole input, naming the line.
 */
export function listLines(text: string, input: string): ListLine[] {
  const out: ListLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.length > MAX_LINE_LENGTH) {
      throw new InputError(
        input,
        `Input ${input} has a line of ${raw.length} characters on line ${i + 1}, longer than the ${MAX_LINE_LENGTH} a list line may have; give one entry a line.`,
      );
    }
    const t = raw.trim();
    if (t !== '' && !t.startsWith('#')) out.push({ line: i + 1, text: t });
  }
  return out;
}

export interface Cell {
  /** The cell, trimmed, with its quotes removed. */
  value: string;
  /** Whether the cell was written in double quotes. */
  quoted: boolean;
}

/**
 * Splits one line into cells at any of `separators` outside double quotes (`""` is a quote inside
 * quotes). With `comments`, an unquoted `#` ends the line.
 */
export function splitCells(line: string, separators: string, comments = false): Cell[] {
  const out: Cell[] = [];
  let cur = '';
  let quoted = false;
  let inQuotes = false;
  const push = (): void => {
    out.push({ value: cur.trim(), quoted });
    cur = '';
    quoted = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (inQuotes) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      cur = '';
      quoted = true;
      inQuotes = true;
    } else if (separators.includes(c)) push();
    else if (comments && c === '#') break;
    else cur += c;
  }
  push();
  return out;
}

/** A header cell as a key: lower case, without spaces, underscores, hyphens or dots. */
export function headerKey(cell: string): string {
  return cell.toLowerCase().replace(/[\s_.-]+/g, '');
}
