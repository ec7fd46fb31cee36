// @ts-check
// Cloudflare Workers (the `workerd` export condition). Workers may not compile wasm from
// bytes, so every file arrives compiled through wrangler's default rule for `*.wasm`
// (CompiledWasm): the web module and zstd's now (so that every call works at once, as on
// Node), and each rank file (a code-less module, see crates/core/src/tokenizer/rank_file.rs)
// when its encoding is first loaded.
import wasm from '../assets/ironlung-web.wasm';
import zstdWasm from '../assets/ironlung-zstd.wasm';
import { useWasmModule, useRankModules, useZstdModule } from './wasm.mjs';

useWasmModule(wasm);
useZstdModule(zstdWasm);
useRankModules((table) => {
  switch (table) {
    case 'r50k_base':
      return import('../assets/r50k_base.wasm');
    case 'p50k_base':
      return import('../assets/p50k_base.wasm');
    case 'cl100k_base':
      return import('../assets/cl100k_base.wasm');
    case 'o200k_base':
      return import('../assets/o200k_base.wasm');
  }
});

export * from './public.mjs';
export { default } from './public.mjs';
