/**
 * A forward proxy for tests: answers HTTP CONNECT by piping the socket to the host and port asked for,
 * and records each `host:port` it tunnels to. Used to show that requests really go through HTTPS_PROXY.
 * With `allToLoopback`, every tunnel ends at 127.0.0.1 whatever host was asked for, so a test can name a
 * real host (one a client would not send to a proxy if it were loopback) and still reach a local server.
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The `host:port` of every CONNECT so far, in order. */
  tunnels: string[];
  close(): void;
}

export async function startConnectProxy(opts: { allToLoopback?: boolean } = {}): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const proxy = createServer();
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), opts.allToLoopback ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, tunnels, close: () => proxy.close() };
}
