// @ts-check
// Deno entry (the "deno" export condition): the native addon where FFI is allowed, else the
// wasm build (js/deno-api.mjs picks), with the names of js/names.mjs.
export * from './gen/deno.mjs';
export { default } from './gen/deno.mjs';
