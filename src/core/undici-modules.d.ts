// Types for the undici modules the transport imports by path (undici's typings describe only its index).
// See src/core/transport.ts for why. Compile-time only.
declare module 'undici/lib/api/index.js' {
  import type { Dispatcher } from 'undici';
  /** The request methods undici's index copies onto every dispatcher. */
  const api: Pick<Dispatcher, 'request' | 'stream' | 'pipeline' | 'upgrade' | 'connect'>;
  export default api;
}

declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici';
  export default Dispatcher;
}

declare module 'undici/lib/dispatcher/env-http-proxy-agent.js' {
  import { EnvHttpProxyAgent } from 'undici';
  export default EnvHttpProxyAgent;
}
