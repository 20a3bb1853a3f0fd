/**
 * XML property lists (Apple's plist 1.0 DTD): a reader and a writer of our own, for the plists inside
 * provisioning profiles, entitlements files and ExportOptions. The reader is one linear pass over the text
 * with no DOM, bounded in depth and size, so a hostile or broken plist costs little and ends in one
 * `PlistError`; the writer's output is deterministic (dictionary keys in the order given, no dates unless
 * given). A general XML library would build a whole DOM first: several times slower and, for a profile,
 * most of an action's peak memory.
 */

export type PlistValue = string | number | bigint | boolean | Date | Uint8Array | PlistValue[] | PlistDict;
interface PlistDict {
  [key: string]: PlistValue;
}

/** A plist that cannot be read; `message` says what is wrong and where (the caller names the file). */
export class PlistError extends Error {
  override readonly name = 'PlistError';
}

/** Nesting deeper than this is refused (Apple's own plists nest a handful of levels). */
export const MAX_PLIST_DEPTH = 64;
/** Larger plists are refused (a profile's plist is a few KB to a few hundred KB). */
const MAX_PLIST_BYTES = 4 * 1024 * 1024;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (code > 0x10ffff) throw new PlistError(`the character reference ${whole} near offset ${at} is out of range`);
      return String.fromCodePoint(code);
    }
    const text = ENTITIES[ref];
    if (text === undefined) throw new PlistError(`the entity ${whole} near offset ${at} is not one XML defines`);
    return text;
  });
}

interface Tag {
  name: string;
  close: boolean;
  selfClosing: boolean;
  start: number;
  end: number;
}

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** The next tag, skipping the XML declaration, DOCTYPE, comments and whitespace; undefined at the end. */
  nextTag(): Tag | undefined {
    const t = this.text;
    for (;;) {
      const lt = t.indexOf('<', this.pos);
      if (lt < 0) {
        if (t.slice(this.pos).trim() !== '') throw new PlistError(`text outside any element near offset ${this.pos}`);
        this.pos = t.length;
        return undefined;
      }
      if (t.slice(this.pos, lt).trim() !== '') throw new PlistError(`text where an element was expected near offset ${this.pos}`);
      if (t.startsWith('<?', lt)) this.pos = this.skipPast('?>', lt);
      else if (t.startsWith('<!--', lt)) this.pos = this.skipPast('-->', lt);
      else if (t.startsWith('<!DOCTYPE', lt)) this.pos = this.skipPast('>', lt);
      else {
        const gt = t.indexOf('>', lt);
        if (gt < 0) throw new PlistError(`an unterminated tag at offset ${lt}`);
        const m = /^<(\/?)([A-Za-z][A-Za-z0-9_.-]*)\s*([^>]*?)(\/?)>$/.exec(t.slice(lt, gt + 1));
        if (!m) throw new PlistError(`a malformed tag at offset ${lt}`);
        this.pos = gt + 1;
        return { close: m[1] === '/', name: m[2] as string, selfClosing: m[4] === '/', start: lt, end: gt + 1 };
      }
    }
  }

  private skipPast(marker: string, from: number): number {
    const at = this.text.indexOf(marker, from);
    if (at < 0) throw new PlistError(`an unterminated ${marker === '>' ? 'declaration' : 'comment or declaration'} at offset ${from}`);
    return at + marker.length;
  }

  /** The text up to `</name>`, which is consumed. */
  textUntilClose(name: string): string {
    const close = `</${name}>`;
    const at = this.text.indexOf(close, this.pos);
    if (at < 0) throw new PlistError(`<${name}> at offset ${this.pos} is never closed`);
    const raw = this.text.slice(this.pos, at);
    const start = this.pos;
    this.pos = at + close.length;
    if (!raw.includes('<')) return decodeText(raw, start);
    // Text mixed with CDATA sections and comments.
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const lt = raw.indexOf('<', i);
      if (lt < 0) {
        out += decodeText(raw.slice(i), start + i);
        break;
      }
      out += decodeText(raw.slice(i, lt), start + i);
      const [open, closeMark] = raw.startsWith('<![CDATA[', lt) ? ['<![CDATA[', ']]>'] : raw.startsWith('<!--', lt) ? ['<!--', '-->'] : ['', ''];
      const end = open ? raw.indexOf(closeMark, lt + open.length) : -1;
      if (end < 0) throw new PlistError(`<${name}> near offset ${start + lt} holds markup, but it takes text`);
      if (open === '<![CDATA[') out += raw.slice(lt + open.length, end);
      i = end + closeMark.length;
    }
    return out;
  }

  value(tag: Tag, depth: number): PlistValue {
    if (tag.close) throw new PlistError(`an unexpected </${tag.name}> at offset ${tag.start}`);
    if (depth > MAX_PLIST_DEPTH) throw new PlistError(`it nests deeper than ${MAX_PLIST_DEPTH} levels`);
    switch (tag.name) {
      case 'dict':
        return tag.selfClosing ? {} : this.dict(depth);
      case 'array':
        return tag.selfClosing ? [] : this.array(depth);
      case 'true':
      case 'false':
        if (!tag.selfClosing) this.textUntilClose(tag.name);
        return tag.name === 'true';
      case 'string':
        return tag.selfClosing ? '' : this.textUntilClose('string');
      case 'integer': {
        const s = tag.selfClosing ? '' : this.textUntilClose('integer').trim();
        if (!/^[+-]?(\d{1,30}|0x[0-9a-fA-F]{1,16})$/.test(s))
          throw new PlistError(`<integer> at offset ${tag.start} holds '${s.slice(0, 20)}', not a whole number`);
        const n = Number(s);
        return Number.isSafeInteger(n) ? n : BigInt(s.replace(/^\+/, ''));
      }
      case 'real': {
        const s = tag.selfClosing ? '' : this.textUntilClose('real').trim();
        const n = Number(s);
        if (s === '' || Number.isNaN(n)) throw new PlistError(`<real> at offset ${tag.start} holds '${s.slice(0, 20)}', not a number`);
        return n;
      }
      case 'date': {
        const s = tag.selfClosing ? '' : this.textUntilClose('date').trim();
        const d = new Date(s);
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s) || Number.isNaN(d.getTime())) {
          throw new PlistError(`<date> at offset ${tag.start} holds '${s.slice(0, 30)}', not an ISO 8601 UTC date`);
        }
        return d;
      }
      case 'data': {
        const s = tag.selfClosing ? '' : this.textUntilClose('data').replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new PlistError(`<data> at offset ${tag.start} is not base64`);
        return Buffer.from(s, 'base64');
      }
      default:
        throw new PlistError(`<${tag.name}> at offset ${tag.start} is not a plist element`);
    }
  }

  private dict(depth: number): PlistDict {
    const out: PlistDict = {};
    for (;;) {
      const tag = this.nextTag();
      if (!tag) throw new PlistError('a <dict> is never closed');
      if (tag.close && tag.name === 'dict') return out;
      if (tag.name !== 'key' || tag.close || tag.selfClosing)
        throw new PlistError(`a <dict> holds <${tag.close ? '/' : ''}${tag.name}> at offset ${tag.start} where a <key> belongs`);
      const key = this.textUntilClose('key');
      const next = this.nextTag();
      if (!next) throw new PlistError(`the key '${key.slice(0, 40)}' has no value`);
      Object.defineProperty(out, key, { value: this.value(next, depth + 1), enumerable: true, writable: true, configurable: true });
    }
  }

  private array(depth: number): PlistValue[] {
    const out: PlistValue[] = [];
    for (;;) {
      const tag = this.nextTag();
      if (!tag) throw new PlistError('an <array> is never closed');
      if (tag.close && tag.name === 'array') return out;
      out.push(this.value(tag, depth + 1));
    }
  }
}

/** Reads an XML plist; throws PlistError (one clause saying what is wrong) for anything else. */
export function parsePlist(xml: string): PlistValue {
  if (xml.length > MAX_PLIST_BYTES) throw new PlistError(`it is larger than ${MAX_PLIST_BYTES / 1024 / 1024} MiB`);
  const r = new Reader(xml.replace(/^\uFEFF/, ''));
  const root = r.nextTag();
  if (!root || root.name !== 'plist' || root.close) throw new PlistError('it is not an XML property list (no <plist> element)');
  const first = r.nextTag();
  if (!first) throw new PlistError('the <plist> element is never closed');
  const value = root.selfClosing ? undefined : r.value(first, 1);
  const end = r.nextTag();
  if (value === undefined || !end || !end.close || end.name !== 'plist') throw new PlistError('the <plist> element must hold exactly one value');
  if (r.nextTag()) throw new PlistError('there is content after </plist>');
  return value;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function write(v: PlistValue, indent: string, out: string[]): void {
  if (typeof v === 'string') out.push(`${indent}<string>${escapeXml(v)}</string>`);
  else if (typeof v === 'boolean') out.push(`${indent}<${v}/>`);
  else if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) out.push(`${indent}<integer>${v}</integer>`);
  else if (typeof v === 'number') out.push(`${indent}<real>${v}</real>`);
  else if (v instanceof Date) out.push(`${indent}<date>${v.toISOString().replace(/\.\d{3}Z$/, 'Z')}</date>`);
  else if (v instanceof Uint8Array) out.push(`${indent}<data>${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}</data>`);
  else if (Array.isArray(v)) {
    if (v.length === 0) out.push(`${indent}<array/>`);
    else {
      out.push(`${indent}<array>`);
      for (const item of v) write(item, `${indent}\t`, out);
      out.push(`${indent}</array>`);
    }
  } else {
    const keys = Object.keys(v);
    if (keys.length === 0) out.push(`${indent}<dict/>`);
    else {
      out.push(`${indent}<dict>`);
      for (const k of keys) {
        out.push(`${indent}\t<key>${escapeXml(k)}</key>`);
        write(v[k] as PlistValue, `${indent}\t`, out);
      }
      out.push(`${indent}</dict>`);
    }
  }
}

/** Writes an XML plist as Xcode does (tab indentation, the plist 1.0 DOCTYPE, a final newline). */
export function buildPlist(value: PlistValue): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
  ];
  write(value, '', out);
  out.push('</plist>', '');
  return out.join('\n');
}
