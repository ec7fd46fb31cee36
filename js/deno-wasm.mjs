// @ts-check
// Deno's wasm backend: the wasm build, initialised with top-level await, plus files through
// Deno's node:fs by the core's rules, as the native reader reads them. Needs --allow-read
// (the package's own files). js/deno-api.mjs picks it, or the native addon.
import { Transform } from 'node:stream';
import { init, useDefaultModule, useFileReader, useLog, useNodeStreams, useRankReader } from './wasm.mjs';
import { createLogs } from './log.mjs';
import { LogCodec, logHeader, trainLogDictionary } from './gen/wasm.mjs';
import { nodeLogFiles } from './logfiles.mjs';
import { fileHost } from './fsread.mjs';
import { rankUrl } from '../assets/urls.mjs';

useFileReader(fileHost);
useLog(createLogs, nodeLogFiles, { LogCodec, logHeader, trainLogDictionary });
useNodeStreams(Transform);
// Every table the core names has a URL.
useRankReader((table) => Deno.readFileSync(/** @type {URL} */ (rankUrl(table))));
// The whole module, the session log's code included (browsers load assets/ironlung-web.wasm).
useDefaultModule(() => Deno.readFile(new URL('../assets/ironlung.wasm', import.meta.url)));
await init();

export { default } from './public.mjs';
