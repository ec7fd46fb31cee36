// Deno: the wasm build, initialised with top-level await, plus files through Deno's node:fs
// with the same bounds as the native reader. Needs --allow-read (the package's own files).
import { init, useDefaultModule, useFileReader, useRankReader } from './wasm.mjs';
import { readBounded, readBoundedSync } from './fsread.mjs';
import { wasmUrl, rankUrl } from '../assets/urls.mjs';

useFileReader(readBoundedSync, readBounded);
useRankReader((table) => Deno.readFileSync(rankUrl(table)));
useDefaultModule(() => Deno.readFile(wasmUrl()));
await init();

export * from './public.mjs';
export { default } from './public.mjs';
