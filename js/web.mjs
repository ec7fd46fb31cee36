// Browser entry: the wasm build, initialised with top-level await, so it is ready to use
// as soon as the import resolves. Edge runtimes that must hand over a precompiled module
// use `ironlung/edge` and call `init(module)` themselves.
import api, { init } from './edge.mjs';

await init();

export * from './edge.mjs';
export default api;
