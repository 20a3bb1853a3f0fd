'use strict';
// @actions/http-client imports one name from undici, ProxyAgent, and constructs it only in
// getAgentDispatcher. Importing it from undici's index evaluates all of undici (fetch, WebSocket, the mock
// and cache layers) in every action, which uses none of it; see README.md.
// Here the same class is loaded from its own module of the same undici the first time it is read, after
// the one step of undici's index that dispatchers need: the request methods on their prototype (a proxy
// agent's CONNECT calls `connect` on its client). The getter's shape is one Node's CommonJS export
// detection recognises, so `import { ProxyAgent } from 'undici'` works unbundled too.
const lazy = {
  get ProxyAgent() {
    Object.assign(require('undici/lib/dispatcher/dispatcher.js').prototype, require('undici/lib/api/index.js'));
    return require('undici/lib/dispatcher/proxy-agent.js');
  },
};
Object.defineProperty(exports, 'ProxyAgent', {
  enumerable: true,
  get: function () {
    return lazy.ProxyAgent;
  },
});
