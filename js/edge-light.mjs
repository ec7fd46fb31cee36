// Vercel Edge and Next.js edge routes (the `edge-light` export condition). Edge runtimes
// may not compile wasm from bytes, so the module arrives compiled, through the `?module`
// import their bundlers provide; rank data is fetched from the URLs in assets/urls.mjs,
// which Next.js emits as edge assets.
import wasm from '../assets/ironlung.wasm?module';
import { useWasmModule } from './wasm.mjs';

useWasmModule(wasm);

export * from './public.mjs';
export { default } from './public.mjs';
