// Serialises JSON the way Apple's API does: pretty-printed with " : " between keys and values.

export function appleJson(value: unknown): string {
  return write(value, '');
}

function write(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (value instanceof Date) return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((v: unknown) => write(v, indent)).join(', ')} ]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{ }';
  const lines = entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${write(v, inner)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}
