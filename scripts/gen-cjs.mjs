// Writes CommonJS copies of the ES modules that Node's `require` entry shares with the
// browser and Deno entries, so that one source serves both module systems; and the named
// exports of the ES module entries, from the one list in js/names.mjs.
//
// The sources keep to a small subset of ESM that this converts exactly:
//   import { a, b } from './x.mjs';   import * as ns from 'node:fs';
//   export function f / export class C / export const K / export async function g
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const js = join(dirname(fileURLToPath(import.meta.url)), '..', 'js');
const sources = ['errors.mjs', 'api.mjs', 'fsread.mjs', 'wasminstance.mjs', 'chat.mjs'];
mkdirSync(join(js, 'gen'), { recursive: true });

for (const file of sources) {
  const names = [];
  const out = readFileSync(join(js, file), 'utf8')
    .split('\n')
    .map((line) => {
      let m;
      if ((m = /^import \{([^}]*)\} from '\.\/(.+)\.mjs';$/.exec(line))) return `const {${m[1]}} = require('./${m[2]}.cjs');`;
      if ((m = /^import \* as (\w+) from '([^']+)';$/.exec(line))) return `const ${m[1]} = require('${m[2]}');`;
      if (/^import /.test(line)) throw new Error(`${file}: unsupported import: ${line}`);
      if ((m = /^export (async function|function|class|const) (\w+)/.exec(line))) {
        names.push(m[2]);
        return line.slice('export '.length);
      }
      if (/^export /.test(line)) throw new Error(`${file}: unsupported export: ${line}`);
      return line;
    });
  out.unshift("'use strict';", `// Generated from js/${file} by scripts/gen-cjs.mjs. Do not edit.`);
  out.push(`module.exports = { ${names.join(', ')} };`, '');
  writeFileSync(join(js, 'gen', file.replace(/\.mjs$/, '.cjs')), out.join('\n'));
}

// ES modules export names statically, so each API object's names are written out here.
const { PUBLIC_NAMES } = await import('../js/names.mjs');
const exportsOf = (from, source) =>
  [
    `// Generated from js/names.mjs by scripts/gen-cjs.mjs. Do not edit.`,
    `import ${from} from '${source}';`,
    'export default api;',
    `export const {\n  ${PUBLIC_NAMES.join(',\n  ')},\n} = api;`,
    '',
  ].join('\n');
writeFileSync(join(js, 'gen', 'public.mjs'), exportsOf('{ api }', '../wasm.mjs'));
writeFileSync(join(js, 'gen', 'node.mjs'), exportsOf('api', '../node-api.mjs'));
