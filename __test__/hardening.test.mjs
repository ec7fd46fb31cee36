// Inputs that 0.1 answered with a raw TypeError, a plain Error, a silent '' or a line on
// stderr (issue 13, defect 6): each is now an IronlungError with a stated code, on both
// backends.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il, throwsCode } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const enc = il.getEncoding('cl100k_base');

function detached(make) {
  const buffer = new ArrayBuffer(16);
  const view = make(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

describe(`hardening: errors at the edges (${il.backend})`, () => {
  test('a detached ArrayBuffer, or a view of one, is ERR_INVALID_ARG, not a TypeError or empty input', () => {
    throwsCode(() => il.compress(detached((b) => b)), 'ERR_INVALID_ARG', ['data is a detached ArrayBuffer']);
    throwsCode(() => il.decompress(detached((b) => new Uint8Array(b))), 'ERR_INVALID_ARG', ['a Uint8Array over a detached ArrayBuffer']);
    throwsCode(() => il.decodeText(detached((b) => new DataView(b))), 'ERR_INVALID_ARG', ['a DataView over a detached']);
    throwsCode(() => enc.decode(detached((b) => new Uint32Array(b))), 'ERR_INVALID_ARG', ['tokens is a Uint32Array over a detached']);
    // An empty buffer that is not detached is just empty.
    assert.equal(il.decodeText(new ArrayBuffer(0)), '');
  });

  test('a view past the end of a resizable ArrayBuffer that shrank is ERR_INVALID_ARG, not empty input', () => {
    const rab = new ArrayBuffer(16, { maxByteLength: 64 });
    const bytes = new Uint8Array(rab, 4, 8);
    const ids = new Uint32Array(rab, 8);
    rab.resize(6);
    throwsCode(() => il.compress(bytes), 'ERR_INVALID_ARG', ['data is a Uint8Array past the end of its resizable ArrayBuffer (6 bytes now)']);
    throwsCode(() => il.decodeText(bytes), 'ERR_INVALID_ARG', ['past the end of its resizable ArrayBuffer']);
    throwsCode(() => enc.decode(ids), 'ERR_INVALID_ARG', ['tokens is a Uint32Array past the end']);
    // Within its bounds, a view of a resizable buffer reads as any other.
    rab.resize(32);
    assert.deepEqual(il.decompress(il.compress(bytes)), new Uint8Array(8));
  });

  test('holes in arrays, and Proxies of typed arrays, are ERR_INVALID_ARG naming where', () => {
    throwsCode(() => enc.encode('x', { allowedSpecial: [, '<|endoftext|>'] }), 'ERR_INVALID_ARG', ['allowedSpecial[0] must be a special-token string, got undefined']);
    throwsCode(() => enc.countBatch(['a', , 'b']), 'ERR_INVALID_ARG', ['texts[1] must be a string, got undefined']);
    throwsCode(() => il.trainDictionary(['a', , 'b']), 'ERR_INVALID_ARG', ['samples[1] must be a string, Uint8Array or ArrayBuffer, got undefined']);
    throwsCode(() => il.compress(new Proxy(new Uint8Array(3), {})), 'ERR_INVALID_ARG', ['got a Uint8Array that is not a real one (a Proxy?)']);
    // A Proxy of an array of strings is read element by element, as any array.
    assert.deepEqual([...enc.countBatch(new Proxy(['a b', 'c'], {}))], [2, 1]);
  });

  test("loadEncoding's source of a type it cannot read is ERR_INVALID_ARG on both backends", async () => {
    for (const source of [42, {}, null]) {
      await assert.rejects(il.loadEncoding('p50k_base', source), (e) => e.code === 'ERR_INVALID_ARG' && /source must be the rank data's bytes/.test(e.message));
    }
  });

  test("trainDictionary's maxBytes: 256 to 32 MiB, named as given on both backends", () => {
    const samples = Array.from({ length: 300 }, (_, i) => `sample ${i} with some words ${(i * 7) % 13}`);
    for (const maxBytes of [2 ** 31, 2 ** 53, 32 * 2 ** 20 + 1]) {
      throwsCode(() => il.trainDictionary(samples, { maxBytes }), 'ERR_INVALID_ARG', [`maxBytes ${maxBytes} is larger than the 33554432 bytes (32 MiB) a dictionary may be`]);
    }
    throwsCode(() => il.trainDictionary(samples, { maxBytes: 255 }), 'ERR_INVALID_ARG', ['maxBytes 255 is too small for a dictionary; zstd writes at least 256 bytes']);
  });

  test('decode of a DataView is ERR_INVALID_ARG, not a silent empty string', () => {
    const view = new DataView(new Uint32Array(enc.encode('hello')).buffer);
    throwsCode(() => enc.decode(view), 'ERR_INVALID_ARG', ['tokens must be a Uint32Array or an array of token ids, got a DataView']);
    throwsCode(() => enc.decodeBytes(view), 'ERR_INVALID_ARG', ['got a DataView']);
  });

  test('countChat: a tool schema JSON cannot write (BigInt, a cycle) is ERR_INVALID_ARG naming where', () => {
    const chat = (property) =>
      il.countChat([{ role: 'user', content: 'hi' }], {
        model: 'gpt-4o',
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: property } } } }],
      });
    const cyclic = {};
    cyclic.self = cyclic;
    throwsCode(() => chat({ type: 'string', enum: ['x', 1n] }), 'ERR_INVALID_ARG', ['properties["a"].enum[1] cannot be written as JSON', 'BigInt']);
    throwsCode(() => chat({ type: 5n }), 'ERR_INVALID_ARG', ['properties["a"].type cannot be written as JSON']);
    throwsCode(() => chat({ type: cyclic }), 'ERR_INVALID_ARG', ['properties["a"].type cannot be written as JSON', 'circular']);
    throwsCode(() => chat({ type: 'string', enum: [cyclic] }), 'ERR_INVALID_ARG', ['enum[0] cannot be written as JSON']);
    assert.ok(chat({ type: ['string', 'null'], enum: [1, null, 'x'] }) > 0);
  });

  test('a result longer than a JS string holds is ERR_STRING_TOO_LONG, and the next call works', () => {
    const token = enc.encode(' '.repeat(1000))[0];
    const width = enc.decode([token]).length;
    const tokens = new Uint32Array(Math.ceil(2 ** 29 / width) + 1).fill(token);
    throwsCode(() => enc.decode(tokens), 'ERR_STRING_TOO_LONG', ['longer than the longest string', 'decodeBytes']);
    assert.equal(enc.decode(tokens.subarray(0, 3)), ' '.repeat(3 * width));
  });

  // 0.1: "memory allocation of 262144 bytes failed", and the process aborted. Under a 2.5 GB
  // address-space limit, a 60 MB run of one letter (one piece, ~30 bytes per byte to merge)
  // cannot get its memory: each call is ERR_OUT_OF_MEMORY and the process carries on.
  test('one piece too long for memory is ERR_OUT_OF_MEMORY, not an abort', { skip: il.backend !== 'native' && 'wasm: the real out-of-memory trap test in backend.test.mjs covers it' }, () => {
    const script = `
      const il = require('./');
      const enc = il.getEncoding('cl100k_base');
      const long = 'a'.repeat(6e7);
      const codes = [];
      for (const f of [() => enc.count(long), () => enc.encode(long), () => enc.truncate(long, 10, { from: 'start' })]) {
        try { f(); codes.push('none') } catch (e) { codes.push(e.code + ': ' + e.message) }
      }
      enc.countAsync(long).then(() => 'none', (e) => e.code).then((code) => {
        console.log(JSON.stringify({ codes, async: code, after: enc.count('hello world') }));
      });`;
    const r = spawnSync('bash', ['-c', 'ulimit -v 2500000; exec "$0" -e "$1"', process.execPath, script], { cwd: root, encoding: 'utf8', env: process.env });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    for (const c of out.codes) assert.match(c, /^ERR_OUT_OF_MEMORY: ironlung could not allocate \d+ bytes to merge one piece of 60000000 bytes/);
    assert.equal(out.async, 'ERR_OUT_OF_MEMORY');
    assert.equal(out.after, 2);
    assert.equal(r.stderr, '');
  });

  test('a caught panic prints nothing to stderr; its message names where it happened', () => {
    const r = spawnSync(
      process.execPath,
      ['-e', "const il = require('./'); try { il.__panicForTest() } catch (e) { console.log(e.code, e.message) }"],
      { cwd: root, env: { ...process.env, RUST_BACKTRACE: '1' }, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ERR_INTERNAL .*panick?ed at .*\.rs:\d+:\d+:\s+deliberate test panic/);
    assert.equal(r.stderr, '');
  });
});
