// What js/'s entries get from their runtime or bundler, declared for the type check
// (tsconfig.json): only what they use. Not shipped.

/** Deno's global (js/deno-api.mjs, js/deno-wasm.mjs, js/loader.cjs). */
declare const Deno: {
  readFile(path: URL): Promise<Uint8Array>;
  readFileSync(path: URL): Uint8Array;
  permissions: { querySync(what: { name: string; variable?: string }): { state: 'granted' | 'prompt' | 'denied' } };
  build: { os: string; arch: string; env?: string };
};

/** A `.wasm` import under wrangler's default CompiledWasm rule (js/workerd.mjs): the compiled module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** A `?module` import of Vercel Edge and Next.js edge bundles (js/edge-light.mjs): the same. */
declare module '*.wasm?module' {
  const module: WebAssembly.Module;
  export default module;
}
