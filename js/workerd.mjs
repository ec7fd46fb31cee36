// Cloudflare Workers (the `workerd` export condition). Workers may not compile wasm from
// bytes, so the module arrives as a compiled module through wrangler's default rule for
// `*.wasm` (CompiledWasm), and each rank table as a Data module (`*.bin`), imported only
// when its encoding is first loaded.
import wasm from '../assets/ironlung.wasm';
import { useWasmModule, useRankLoader } from './wasm.mjs';

useWasmModule(wasm);
useRankLoader(async (table) => {
  let m;
  switch (table) {
    case 'r50k_base':
      m = await import('../assets/r50k_base.bin');
      break;
    case 'p50k_base':
      m = await import('../assets/p50k_base.bin');
      break;
    case 'cl100k_base':
      m = await import('../assets/cl100k_base.bin');
      break;
    case 'o200k_base':
      m = await import('../assets/o200k_base.bin');
      break;
  }
  return new Uint8Array(m.default);
});

export * from './public.mjs';
export { default } from './public.mjs';
