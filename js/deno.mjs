// Deno entry: the wasm build initialised with top-level await, plus file reading through
// Deno's node:fs with the same bounds as the native reader.
import api, { init, __useFileReader, __useRankReader } from './edge.mjs';
import { readBounded, readBoundedSync } from './fsread.mjs';

__useFileReader(readBoundedSync, readBounded);
__useRankReader((table) => Deno.readFileSync(new URL(`../wasm/ranks/${table}.ranks`, import.meta.url)));
await init(await Deno.readFile(new URL('../wasm/pkg-web/ironlung_wasm_bg.wasm', import.meta.url)));

export * from './edge.mjs';
export default api;
