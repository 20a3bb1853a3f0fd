// Turns a job summary (the Markdown/HTML an action appended to GITHUB_STEP_SUMMARY) into readable text:
// headings on their own line, table rows as `a | b | c`, list items as `- item`, other tags stripped.
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&nbsp;': ' ' };
const decode = (s) => s.replace(/&(amp|lt|gt|quot|nbsp|#39|#x27);/g, (e) => ENTITIES[e] ?? e);
const strip = (s) =>
  decode(s.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();

export function summaryToText(html) {
  let s = html.replace(/\r\n/g, '\n');
  // Table rows first: cells joined with " | ".
  s = s.replace(/<tr[^>]*>([\s\S]*?)<\/tr>/gi, (_, row) => {
    const cells = [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/gi)].map((c) => strip(c[1] ?? ''));
    return `\n${cells.join(' | ')}\n`;
  });
  s = s.replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level, text) => `\n${'#'.repeat(Number(level))} ${strip(text)}\n`);
  s = s.replace(/<li[^>]*>([\s\S]*?)<\/li>/gi, (_, text) => `\n- ${strip(text)}\n`);
  s = s.replace(/<summary[^>]*>([\s\S]*?)<\/summary>/gi, (_, text) => `\n${strip(text)}\n`);
  s = s.replace(/<br\s*\/?>|<\/p>|<\/div>|<\/table>|<\/details>/gi, '\n');
  s = decode(s.replace(/<[^>]*>/g, ''));
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .filter((l) => l.length > 0);
}
