// The native backend with the package's rank files removed: the addon embeds every table,
// so each one's encodings still match tiktoken (the files serve the wasm fallback only).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as il from 'ironlung';
import { TEXTS } from './expected.mjs';

const tiktoken = createRequire(process.env.IRONLUNG_REPO + '/package.json')('tiktoken');
assert.equal(il.backend, 'native');
const tables = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'];
for (const name of tables) {
  const oracle = tiktoken.get_encoding(name);
  for (const t of TEXTS) assert.deepEqual(Array.from(il.getEncoding(name).encode(t)), Array.from(oracle.encode_ordinary(t)), `${name}: ${t}`);
  oracle.free();
}
console.log(`native without rank files: ${tables.length} tables exact`);
