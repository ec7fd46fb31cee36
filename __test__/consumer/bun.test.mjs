// The installed package under Bun: the native addon through Node-API.
import { test, expect } from 'bun:test';
import { createRequire } from 'node:module';
import * as il from 'ironlung';
import { TEXTS, ENCODINGS } from './expected.mjs';

const expected = JSON.parse(process.env.IRONLUNG_EXPECTED);

test('Bun loads the native backend', () => {
  expect(il.backend).toBe('native');
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
