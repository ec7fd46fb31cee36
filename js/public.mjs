// @ts-check
// The public API of the wasm backend, shared by every runtime entry that uses it: the
// names of js/names.mjs, exported from the instance of js/wasm.mjs.
export * from './gen/public.mjs';
export { default } from './gen/public.mjs';
