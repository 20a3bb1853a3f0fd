// Low-level HTTP: reading request bodies, writing responses the way Apple formats them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appleJson } from './json-format.js';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
export function parseBody(raw: Buffer): { value: unknown; json: boolean } | undefined {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, json: true };
  } catch {
    return { value: text, json: false };
  }
}

export function recordHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[lower] = lower === 'authorization' ? redactAuthorization(text) : text;
  }
  return out;
}

/** "Bearer eyJ…" -> "Bearer [redacted]": the scheme stays visible, the credential does not. */
function redactAuthorization(value: string): string {
  const m = /^(\S+)\s+\S/.exec(value);
  return m ? `${m[1]} [redacted]` : '[redacted]';
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = appleJson(body);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

/** Closes the connection without any response: "the response was lost". */
export function drop(req: IncomingMessage, res: ServerResponse): void {
  res.socket?.destroy();
  req.socket.destroy();
}
