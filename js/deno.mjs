// @ts-check
// Deno: the wasm build, initialised with top-level await, plus files through Deno's node:fs
// by the core's rules, as the native reader reads them. Needs --allow-read (the package's own files).
import { init, useDefaultModule, useFileReader, useRankReader } from './wasm.mjs';
import { fileHost } from './fsread.mjs';
import { wasmUrl, rankUrl } from '../assets/urls.mjs';

useFileReader(fileHost);
// Every table the core names has a URL.
useRankReader((table) => Deno.readFileSync(/** @type {URL} */ (rankUrl(table))));
useDefaultModule(() => Deno.readFile(wasmUrl()));
await init();

export * from './public.mjs';
export { default } from './public.mjs';
