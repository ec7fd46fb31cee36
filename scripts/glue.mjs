// Writes a wasm module's JS glue, from wasm-bindgen's "web" output, as OUT.mjs (and its
// types as OUT.d.mts): js/gen/wasm.mjs, the glue of the whole module and the web module,
// which every entry loads (Node's require entry through require()); js/gen/zstd.mjs, the
// glue of the zstd module that browsers and edge runtimes load beside the web module.
//
//   node scripts/glue.mjs <wasm-bindgen's ironlung_wasm.js> <OUT, without .mjs>
//
// The glue's default `new URL('ironlung_wasm_bg.wasm', import.meta.url)` goes: ironlung
// always hands the module over (assets/urls.mjs names it for bundlers), and bundlers that
// see that literal would look for a file that is not there. Each edit fails the build when
// wasm-bindgen's output no longer has the shape it expects.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const [src, out] = process.argv.slice(2);
if (!src || !out) throw new Error('usage: node scripts/glue.mjs GLUE.js OUT');
let glue = readFileSync(src, 'utf8').replace(/^\/\* @ts-self-types=.*\*\/\n/, '');

const DEFAULT_URL = "module_or_path = new URL('ironlung_wasm_bg.wasm', import.meta.url);";
if (!glue.includes(DEFAULT_URL)) throw new Error(`${src}: the glue's default module URL is not where expected`);
glue = glue.replace(DEFAULT_URL, "throw new Error('ironlung: no wasm module given to the glue');");
// A module compiled in another realm (Next.js edge, Vercel's edge-runtime hand one over) is
// no instance of this realm's WebAssembly.Module; instantiating it works all the same.
const REALM_CHECK = 'if (!(module instanceof WebAssembly.Module)) {';
if (!glue.includes(REALM_CHECK)) throw new Error(`${src}: initSync's module check is not where expected`);
glue = glue.replace(REALM_CHECK, "if (Object.prototype.toString.call(module) !== '[object WebAssembly.Module]') {");
if (glue.includes('import.meta')) throw new Error(`${src}: import.meta left in the glue`);
// Nothing beside the glue is copied (wasm-bindgen's snippets/, for one).
if (/^import /m.test(glue)) throw new Error(`${src}: the glue imports something, which js/gen/ would lack`);

// ironlung replaces the instance after a trap (js/wasminstance.mjs): a fresh instance of the
// module in use, through initSync, which otherwise keeps the first.
const LAST_EXPORT = 'export { initSync, __wbg_init as default };';
if (!glue.includes(LAST_EXPORT) || !glue.includes('let wasmModule, wasmInstance, wasm;')) {
  throw new Error(`${src}: the glue's instance state is not where expected`);
}
glue = glue.replace(
  LAST_EXPORT,
  `export function __ironlungReinstantiate() {
    const module = wasmModule;
    wasm = undefined;
    return initSync({ module });
}
${LAST_EXPORT}`,
);

// An exported Rust struct (a prepared zstd dictionary) is freed when its JS object is
// garbage-collected, through a FinalizationRegistry that frees the pointer in the glue's
// current instance. After a trap that is a fresh instance, where the pointer means nothing:
// freeing it there would corrupt its heap. Each registration records its instance, and the
// finalizer frees only in that one (a replaced instance goes whole to the collector).
const REGISTRY = /new FinalizationRegistry\(ptr => wasm\.(__wbg_\w+_free)\(ptr, 1\)\)/g;
const REGISTER = /(\w+Finalization)\.register\((\w+), \2\.__wbg_ptr, \2\);/g;
const classes = (glue.match(/^export class /gm) || []).length;
const registries = (glue.match(REGISTRY) || []).length;
if (registries !== classes || (classes > 0 && !REGISTER.test(glue)) || /FinalizationRegistry\(ptr =>/.test(glue.replace(REGISTRY, ''))) {
  throw new Error(`${src}: the glue's ${classes} classes and ${registries} finalization registries are not as expected`);
}
glue = glue
  .replace(REGISTRY, 'new FinalizationRegistry((held) => { if (held.wasm === wasm) wasm.$1(held.ptr, 1); })')
  .replace(REGISTER, '$1.register($2, { ptr: $2.__wbg_ptr, wasm }, $2);');
if (/Finalization\.register\(\w+, \w+\.__wbg_ptr, /.test(glue)) throw new Error(`${src}: a finalization registration is left as it was`);

// A bundle drops an export nothing imports only if no top-level statement keeps it: browser
// and edge bundles must leave out the log's classes (LogCodec, LogScanner, LogSeek), which
// only the entries with a file system hand on (js/deno-wasm.mjs, js/node.cjs). wasm-bindgen
// follows each class with an assignment to its prototype (Symbol.dispose) and gives it a
// registry made with `new`, both effects to a bundler. Each class, its assignment and its
// registry become one call marked /*#__PURE__*/, which esbuild, Rollup and Rolldown (Vite),
// terser (webpack) and SWC (Turbopack) all drop whole when nothing uses its result. (A pure
// mark on the `new` alone is not enough: SWC keeps the registry's callback.)
const REGISTRY_DECL = /^const (\w+)Finalization = \(typeof FinalizationRegistry === 'undefined'\)\n.*\n.*\n/gm;
/** class name -> its registry's declaration */
const registryOf = new Map();
glue = glue.replace(REGISTRY_DECL, (decl, name) => {
  registryOf.set(name, decl);
  return '';
});
const CLASS = /^export class (\w+) \{\n[\s\S]*?^\}\nif \(Symbol\.dispose\) \1\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n/gm;
let wrapped = 0;
glue = glue.replace(CLASS, (whole, name) => {
  const registry = registryOf.get(name);
  if (!registry) throw new Error(`${src}: class ${name} has no finalization registry where expected`);
  registryOf.delete(name);
  wrapped++;
  return `export const ${name} = /*#__PURE__*/ (() => {\n${registry}${whole.replace(/^export /, '')}return ${name};\n})();\n`;
});
if (wrapped !== classes || registryOf.size > 0 || /^export class |Finalization = /m.test(glue.replace(/^export const [\s\S]*?^\}\)\(\);$/gm, ''))) {
  throw new Error(`${src}: the glue's ${classes} classes are not each followed by their Symbol.dispose and given a registry as expected`);
}

// wasm-bindgen's declarations of the glue, and of the function added above, for the type
// check (tsconfig.json): the JS that calls the glue is checked against the Rust exports.
const types = `${readFileSync(src.replace(/\.js$/, '.d.ts'), 'utf8')}\nexport function __ironlungReinstantiate(): InitOutput;\n`;

const header = `// Generated from wasm-bindgen's output by scripts/glue.mjs. Do not edit.\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.mjs`, header + glue);
writeFileSync(`${out}.d.mts`, header + types);

