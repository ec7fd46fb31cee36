// The installed package under Bun: the native addon through Node-API, or with
// IRONLUNG_BACKEND=wasm the wasm build (IRONLUNG_CONSUMER_BACKEND names the one expected).
import { test, expect } from 'bun:test';
import { createRequire } from 'node:module';
import * as il from 'ironlung';
import { TEXTS, ENCODINGS } from './expected.mjs';

const expected = JSON.parse(process.env.IRONLUNG_EXPECTED);

const want = process.env.IRONLUNG_CONSUMER_BACKEND || 'native';

test(`Bun loads the ${want} backend`, () => {
  expect(il.backend).toBe(want);
});

test('require loads the CommonJS entry, which requires the ES modules: one instance', () => {
  expect(createRequire(import.meta.url)('ironlung')).toBe(il.default);
});

test('token ids match tiktoken', () => {
  for (const name of ENCODINGS) {
    const enc = il.getEncoding(name);
    TEXTS.forEach((t, i) => {
      expect(Array.from(enc.encode(t))).toEqual(expected[name][i]);
      expect(enc.count(t)).toBe(expected[name][i].length);
      expect(enc.decode(enc.encode(t))).toBe(t);
    });
  }
});

test('zstd round trip, async, and coded errors', async () => {
  const packed = await il.compressAsync('bun '.repeat(1000));
  expect(new TextDecoder().decode(await il.decompressAsync(packed))).toBe('bun '.repeat(1000));
  let code;
  try {
    il.getEncoding('nope');
  } catch (e) {
    code = e.code;
  }
  expect(code).toBe('ERR_UNKNOWN_ENCODING');
});

test('a Rust panic does not take Bun down', () => {
  let code;
  try {
    il.__panicForTest();
  } catch (e) {
    code = e.code;
  }
  expect(code).toBe('ERR_INTERNAL');
  expect(il.getEncoding('cl100k_base').count('still alive')).toBe(2);
});

test('zstd streams: WHATWG and node:stream, with the cap on the whole stream', async () => {
  const text = 'bun stream line\n'.repeat(20_000);
  const packed = await new Response(new Blob([text]).stream().pipeThrough(new il.ZstdCompressionStream())).arrayBuffer();
  expect(await new Response(new Blob([packed]).stream().pipeThrough(new il.ZstdDecompressionStream())).text()).toBe(text);
  // Each chunk owns exactly its bytes: the native decoder fills memory not zeroed first.
  for await (const c of new Blob([packed]).stream().pipeThrough(new il.ZstdDecompressionStream())) {
    expect([c.byteOffset, c.buffer.byteLength]).toEqual([0, c.byteLength]);
  }
  let code;
  try {
    await new Response(new Blob([packed]).stream().pipeThrough(new il.ZstdDecompressionStream({ maxOutputBytes: 1000 }))).text();
  } catch (e) {
    code = e.code;
  }
  expect(code).toBe('ERR_OUTPUT_TOO_LARGE');
  const { Readable } = await import('node:stream');
  const parts = [];
  for await (const c of Readable.from([Buffer.from(text)]).pipe(il.createZstdCompress()).pipe(il.createZstdDecompress())) parts.push(c);
  expect(Buffer.concat(parts).toString()).toBe(text);
});

test('zstd dictionaries and frameInfo', async () => {
  const records = Array.from({ length: 500 }, (_, i) => JSON.stringify({ tool: ['grep', 'read_file'][i % 2], path: `src/m${i % 30}.rs`, ok: true }));
  const dict = new il.ZstdDictionary(il.trainDictionary(records, { maxBytes: 2048 }));
  const packed = await il.compressAsync(records[3], { dictionary: dict });
  expect(il.frameInfo(packed).dictionaryId).toBe(dict.id);
  expect(new TextDecoder().decode(await il.decompressAsync(packed, { dictionary: dict }))).toBe(records[3]);
  let code;
  try {
    il.decompress(packed);
  } catch (e) {
    code = e.code;
  }
  expect(code).toBe('ERR_DICTIONARY_MISMATCH');
});

test("the session log: events, checkpoint, compaction, repack, lock, torn tail, 'sync' in syscalls, 10 kills", async () => {
  const { logScenario } = await import('./log-scenario.mjs');
  const r = await logScenario(il.default, { kills: 10, command: (script, ...args) => [process.execPath, script, ...args] });
  expect(r.kills).toBe(10);
}, 120_000);
