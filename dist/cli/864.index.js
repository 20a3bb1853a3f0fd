export const id = 864;
export const ids = [864];
export const modules = {

/***/ 1864:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {


// @actions/http-client imports one name from undici, ProxyAgent, and constructs it only in
// getAgentDispatcher. Importing it from undici's index evaluates all of undici (fetch, WebSocket, the mock
// and cache layers) in every action, which uses none of it; see README.md.
// Here the same class is loaded from its own module of the same undici the first time it is read, after
// the one step of undici's index that dispatchers need: the request methods on their prototype (a proxy
// agent's CONNECT calls `connect` on its client). The getter's shape is one Node's CommonJS export
// detection recognises, so `import { ProxyAgent } from 'undici'` works unbundled too.
const lazy = {
  get ProxyAgent() {
    Object.assign((__webpack_require__(883).prototype), __webpack_require__(6615));
    return __webpack_require__(6672);
  },
};
Object.defineProperty(exports, "k", ({
  enumerable: true,
  get: function () {
    return lazy.ProxyAgent;
  },
}));


/***/ })

};
