// The installed package under Deno through an `npm:` specifier, as Deno users write it. With
// a package.json beside it Deno resolves npm: specifiers from node_modules (no registry).
// Run with --allow-read only: ironlung needs to read its own files, nothing more; it loads
// the wasm build. Run with --allow-ffi as well, it loads the native addon.
import { getEncoding, loadEncoding, readTextFile, compress, decompress, backend } from 'npm:ironlung';
import { TEXTS, ENCODINGS } from './expected.mjs';

const expected = JSON.parse(await Deno.readTextFile('expected.json'));

const want = Deno.permissions.querySync({ name: 'ffi' }).state === 'granted' ? 'native' : 'wasm';

Deno.test(`npm:ironlung: the ${want} backend, exact token ids, zstd and files`, async () => {
  if (backend !== want) throw new Error(`backend ${backend}, expected ${want}`);
  for (const name of ENCODINGS) {
    const got = TEXTS.map((t) => Array.from(getEncoding(name).encode(t)));
    if (JSON.stringify(got) !== JSON.stringify(expected[name])) throw new Error(`${name} differs from tiktoken`);
  }
  if ((await loadEncoding('gpt-4o')).name !== 'o200k_base') throw new Error('loadEncoding by model');
  const text = 'zstd under Deno '.repeat(100);
  if (new TextDecoder().decode(decompress(compress(text))) !== text) throw new Error('zstd round trip');
  if (!(await readTextFile('./expected.mjs')).includes('TEXTS')) throw new Error('readTextFile');
});
