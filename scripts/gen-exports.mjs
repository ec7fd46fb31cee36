// Writes the named exports of the ES module entries from the one list in js/names.mjs:
// js/gen/public.mjs for the wasm entries, js/gen/node.mjs for Node and Bun, js/gen/deno.mjs
// for Deno (either backend). ES modules
// export names statically, so each API object's names are written out here.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLIC_NAMES } from '../js/names.mjs';

const gen = join(dirname(fileURLToPath(import.meta.url)), '..', 'js', 'gen');
mkdirSync(gen, { recursive: true });

const exportsOf = (from, source) =>
  [
    `// Generated from js/names.mjs by scripts/gen-exports.mjs. Do not edit.`,
    `import ${from} from '${source}';`,
    'export default api;',
    `export const {\n  ${PUBLIC_NAMES.join(',\n  ')},\n} = api;`,
    '',
  ].join('\n');
writeFileSync(join(gen, 'public.mjs'), exportsOf('{ api }', '../wasm.mjs'));
writeFileSync(join(gen, 'node.mjs'), exportsOf('api', '../node-api.mjs'));
writeFileSync(join(gen, 'deno.mjs'), exportsOf('api', '../deno-api.mjs'));
