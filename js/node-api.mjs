// @ts-check
// The API object of the ES module entry for Node and Bun (js/node.mjs): the same instance
// as the CommonJS entry, loaded through Node's own require, out of a server bundler's sight:
// Turbopack would otherwise follow the loader into the .node addon and the assets and fail
// to bundle them, where Node finds them on disk.
const { createRequire } = process.getBuiltinModule('node:module');
// A CommonJS bundle (esbuild --platform=node) has no import.meta.url: there the package is
// found from the bundle, as `ironlung` in node_modules.
const api = import.meta.url
  ? createRequire(import.meta.url)('./node.bundle.cjs')
  : createRequire(__filename)('ironlung');

export default api;
