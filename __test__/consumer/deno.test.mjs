// The installed package under Deno: `import 'ironlung'` from node_modules resolves the
// "deno" export condition: the wasm build, with file reading through node:fs, or with
// --allow-ffi the native addon (IRONLUNG_CONSUMER_BACKEND names the one expected).
import il, { getEncoding, readTextFile, readTextFileSync, compress, decompress, backend } from 'ironlung';
import { TEXTS, ENCODINGS } from './expected.mjs';

const expected = JSON.parse(Deno.env.get('IRONLUNG_EXPECTED'));

function assertEquals(a, b, msg) {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y) throw new Error(`${msg || 'not equal'}: ${x} !== ${y}`);
}

async function code(f) {
  try {
    await f();
  } catch (e) {
    return e.code;
  }
  return 'no error';
}

const want = Deno.env.get('IRONLUNG_CONSUMER_BACKEND') || 'wasm';

Deno.test(`Deno gets the ${want} backend`, () => {
  assertEquals(backend, want);
  assertEquals(il.backend, want);
});

Deno.test('token ids match tiktoken', () => {
  for (const name of ENCODINGS) {
    const enc = getEncoding(name);
    TEXTS.forEach((t, i) => {
      assertEquals(Array.from(enc.encode(t)), expected[name][i], `${name} ${i}`);
      assertEquals(enc.truncate(t, 1000), t);
    });
  }
});

Deno.test('files are read with the same bounds and codes', async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/a.txt`, 'deno 😀');
  assertEquals(await readTextFile(`${dir}/a.txt`), 'deno 😀');
  assertEquals(readTextFileSync(`${dir}/a.txt`), 'deno 😀');
  await Deno.writeFile(`${dir}/bin`, new Uint8Array([1, 0, 2]));
  assertEquals(await code(() => readTextFile(`${dir}/bin`)), 'ERR_BINARY_FILE');
  assertEquals(await code(() => readTextFile(`${dir}/a.txt`, { maxBytes: 3 })), 'ERR_FILE_TOO_LARGE');
  assertEquals(await code(() => readTextFile(`${dir}/missing`)), 'ENOENT');
  assertEquals(await code(() => readTextFile(dir)), 'EISDIR');
  assertEquals(await code(() => readTextFile('/dev/zero')), 'ERR_NOT_REGULAR_FILE');
  await Deno.remove(dir, { recursive: true });
});

Deno.test('zstd round trips; panics are contained', async () => {
  assertEquals(new TextDecoder().decode(decompress(compress('deno zstd'))), 'deno zstd');
  assertEquals(await code(() => decompress(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]))), 'ERR_CORRUPT_DATA');
  assertEquals(await code(() => il.__panicForTest()), 'ERR_INTERNAL');
  assertEquals(getEncoding('cl100k_base').count('still alive'), 2);
});

Deno.test('zstd streams: WHATWG and node:stream, with the cap on the whole stream', async () => {
  const text = 'deno stream line\n'.repeat(20_000);
  const packed = await new Response(new Blob([text]).stream().pipeThrough(new il.ZstdCompressionStream())).arrayBuffer();
  const back = await new Response(new Blob([packed]).stream().pipeThrough(new il.ZstdDecompressionStream())).text();
  assertEquals(back === text, true, 'WHATWG round trip');
  // Each chunk owns exactly its bytes: the native decoder fills memory not zeroed first.
  for await (const c of new Blob([packed]).stream().pipeThrough(new il.ZstdDecompressionStream())) {
    assertEquals([c.byteOffset, c.buffer.byteLength], [0, c.byteLength]);
  }
  const capped = () => new Response(new Blob([packed]).stream().pipeThrough(new il.ZstdDecompressionStream({ maxOutputBytes: 1000 }))).text();
  assertEquals(await code(capped), 'ERR_OUTPUT_TOO_LARGE');
  // The node:stream Transform, driven directly: importing node:stream here would make
  // `deno test` type-check against @types/node, which this consumer project does not have.
  const t = il.createZstdDecompress();
  const parts = [];
  t.on('data', (c) => parts.push(c));
  const ended = new Promise((resolve, reject) => t.on('end', resolve).on('error', reject));
  t.end(new Uint8Array(packed));
  await ended;
  const joined = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
  parts.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
  assertEquals(new TextDecoder().decode(joined) === text, true, 'node:stream round trip');
});

Deno.test('zstd dictionaries and frameInfo', async () => {
  const records = Array.from({ length: 500 }, (_, i) => JSON.stringify({ tool: ['grep', 'read_file'][i % 2], path: `src/m${i % 30}.rs`, ok: true }));
  const bytes = il.trainDictionary(records, { maxBytes: 2048 });
  const dict = new il.ZstdDictionary(bytes);
  const packed = compress(records[3], { dictionary: dict });
  assertEquals(il.frameInfo(packed).dictionaryId, dict.id);
  assertEquals(new TextDecoder().decode(decompress(packed, { dictionary: bytes })), records[3]);
  assertEquals(await code(() => decompress(packed)), 'ERR_DICTIONARY_MISMATCH');
});

Deno.test("the session log: events, checkpoint, compaction, repack, lock, torn tail, 'sync' in syscalls, 10 kills", async () => {
  // A specifier `deno test` does not follow when it type-checks: the scenario imports node:
  // modules, whose types (@types/node) this consumer project does not have.
  const scenario = new URL('./log-scenario.mjs', import.meta.url).href;
  const { logScenario } = await import(scenario);
  // The writer it kills runs on the same backend: the same permissions.
  const allow = ['--allow-read', '--allow-write', '--allow-env', '--allow-run', '--allow-sys', ...(want === 'native' ? ['--allow-ffi'] : [])];
  const r = await logScenario(il, { kills: 10, command: (script, ...args) => [Deno.execPath(), 'run', ...allow, script, ...args] });
  assertEquals(r.kills, 10);
});
