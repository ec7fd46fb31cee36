// @ts-check
// Browsers, Web Workers and any runtime that fetches (the `browser` and `worker` export
// conditions, and `default`). No top-level await, so the entry works
// in classic-script bundles too: the module is fetched and initialised by the first
// `await loadEncoding(name)` or `await init()`, and each encoding's rank data on its first
// load, from the URLs assets/urls.mjs names for bundlers.
export * from './public.mjs';
export { default } from './public.mjs';
