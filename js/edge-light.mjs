// @ts-check
// Vercel Edge and Next.js edge routes (the `edge-light` export condition). Edge runtimes
// may not compile wasm from bytes and an edge bundle may have no URL to fetch from, so
// every file arrives compiled, through the `?module` import their bundlers provide: the
// web module and zstd's now (so that every call works at once, as on Node), and each rank
// file (a code-less module) when its encoding is first loaded.
import wasm from '../assets/ironlung-web.wasm?module';
import zstdWasm from '../assets/ironlung-zstd.wasm?module';
import { useWasmModule, useRankModules, useZstdModule } from './wasm.mjs';

useWasmModule(wasm);
useZstdModule(zstdWasm);
useRankModules((table) => {
  switch (table) {
    case 'r50k_base':
      return import('../assets/r50k_base.wasm?module');
    case 'p50k_base':
      return import('../assets/p50k_base.wasm?module');
    case 'cl100k_base':
      return import('../assets/cl100k_base.wasm?module');
    case 'o200k_base':
      return import('../assets/o200k_base.wasm?module');
  }
});

export * from './public.mjs';
export { default } from './public.mjs';
