// Property tests of each API's round-trip invariants, on the backend under test, with a
// fixed seed (a failure names its seed and case, and reproduces) and a bounded number of
// cases. The texts mix scripts, emoji, whitespace runs, contractions, digits, special-token
// text and long runs; the bad arguments mix every JS type.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { il } from './helpers.mjs';

const SEED = 0x1a7e;
const CASES = 400;

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const ATOMS = [
  'a', 'the', ' quick', ' brown', 'Fox', "'s", "'LL", ' ', '  ', '\t', '\n', '\n\n', '\r\n', '   \n',
  '123', '4567890', '3.14', '!', '?!', '...', '—', '«»', 'é', 'naïve', 'ÀÉÎ', '中文', 'かな', 'العربية',
  'ʰ', 'ǅ', '\u0301', '\u00a0', '\u2028', '😀', '👍🏽', '🇺🇳', '<|endoftext|>', '<|fim_prefix|>', 'x'.repeat(40),
  'camelCaseWord', 'HTTPServer', 'snake_case', '{"k": [1, 2]}', 'def f(x):\n    return x',
];

function text(next) {
  const n = Math.floor(next() * 60);
  let s = '';
  for (let i = 0; i < n; i++) s += ATOMS[Math.floor(next() * ATOMS.length)];
  return s;
}

const CODES = new Set([
  'ERR_FILE_TOO_LARGE', 'ERR_BINARY_FILE', 'ERR_NOT_REGULAR_FILE', 'ERR_UNKNOWN_ENCODING', 'ERR_UNKNOWN_MODEL',
  'ERR_INVALID_TOKEN', 'ERR_DISALLOWED_SPECIAL', 'ERR_CORRUPT_DATA', 'ERR_OUTPUT_TOO_LARGE', 'ERR_INVALID_ARG',
  'ERR_UNSUPPORTED_RUNTIME', 'ERR_NOT_INITIALIZED', 'ERR_ASSET_UNAVAILABLE', 'ERR_BACKEND_UNAVAILABLE',
  'ERR_INTERNAL', 'ERR_OUT_OF_MEMORY', 'ERR_STRING_TOO_LONG',
]);

describe(`properties (${il.backend}, seed ${SEED}, ${CASES} cases each)`, () => {
  for (const name of ['cl100k_base', 'o200k_base', 'r50k_base']) {
    const enc = il.getEncoding(name);

    test(`${name}: decode(encode(s)) === s and count === encode().length`, () => {
      const next = rng(SEED);
      for (let i = 0; i < CASES; i++) {
        const s = text(next);
        const ids = enc.encode(s, { disallowedSpecial: [] });
        assert.equal(enc.decode(ids), s, `case ${i}: ${JSON.stringify(s)}`);
        assert.equal(enc.count(s), ids.length, `case ${i}`);
      }
    });

    test(`${name}: every truncation fits its budget and keeps its side`, () => {
      const next = rng(SEED + 1);
      for (let i = 0; i < CASES; i++) {
        const s = text(next);
        const n = Math.floor(next() * 40);
        const head = enc.truncate(s, n);
        assert.ok(s.startsWith(head) && enc.count(head) <= n, `end, case ${i}, budget ${n}: ${JSON.stringify(s)}`);
        const tail = enc.truncate(s, n, { from: 'start' });
        assert.ok(s.endsWith(tail) && enc.count(tail) <= n, `start, case ${i}, budget ${n}: ${JSON.stringify(s)}`);
        if (n >= 12) {
          const middle = enc.truncate(s, n, { from: 'middle' });
          assert.ok(enc.count(middle) <= n, `middle, case ${i}, budget ${n}: ${JSON.stringify(s)}`);
        }
        const count = enc.count(s);
        assert.equal(enc.isWithinLimit(s, n), count <= n ? count : false, `isWithinLimit, case ${i}`);
      }
    });

    test(`${name}: chunks fit, and joined give back the text`, () => {
      const next = rng(SEED + 2);
      for (let i = 0; i < CASES / 2; i++) {
        const s = text(next);
        const maxTokens = 4 + Math.floor(next() * 30);
        const boundary = ['token', 'line', 'paragraph'][i % 3];
        const chunks = enc.chunk(s, { maxTokens, boundary });
        assert.equal(chunks.map((c) => c.text).join(''), s, `case ${i}, maxTokens ${maxTokens}, ${boundary}: ${JSON.stringify(s)}`);
        for (const c of chunks) assert.ok(c.tokens <= maxTokens && enc.count(c.text) === c.tokens, `case ${i}`);
      }
    });
  }

  test('decompress(compress(x)) equals x, for bytes and levels of every kind', () => {
    const next = rng(SEED + 3);
    for (let i = 0; i < CASES; i++) {
      const len = Math.floor(next() ** 3 * 200_000);
      const x = new Uint8Array(len);
      const alphabet = 1 + Math.floor(next() * 255);
      for (let j = 0; j < len; j++) x[j] = Math.floor(next() * alphabet);
      const level = [-100, -1, 1, 3, 9, 19][i % 6];
      const packed = il.compress(x, { level });
      assert.deepEqual(il.decompress(packed), x, `case ${i}, ${len} bytes, level ${level}`);
      assert.deepEqual(il.decompress(packed, { maxOutputBytes: len }), x);
      if (len > 0) assert.throws(() => il.decompress(packed, { maxOutputBytes: len - 1 }), { code: 'ERR_OUTPUT_TOO_LARGE' });
    }
  });

  test('every error is an IronlungError with a listed code, whatever the arguments', () => {
    const next = rng(SEED + 4);
    const enc = il.getEncoding('cl100k_base');
    const values = [
      undefined, null, NaN, -1, 0, 1.5, 2 ** 53, Infinity, 5n, '', 'x', '<|endoftext|>', true, Symbol('s'), {}, [], [1, 'a'],
      [-1], [2 ** 40], new Uint8Array(3), new Uint32Array([1, 2]), new Float64Array([0.5]), new DataView(new ArrayBuffer(4)),
      new ArrayBuffer(2), () => 1, new Date(0), /re/, new Map(), { maxTokens: 'x' }, { level: 99 }, { from: 'side' },
      { maxBytes: -1 }, { allowedSpecial: [1] }, { boundary: 'word' }, Object.create(null),
    ];
    const pick = () => values[Math.floor(next() * values.length)];
    const calls = [
      (a, b) => enc.count(a, b), (a, b) => enc.encode(a, b), (a) => enc.decode(a), (a) => enc.decodeBytes(a),
      (a, b) => enc.truncate(a, b), (a, b, c) => enc.truncate(a, b, c), (a, b) => enc.isWithinLimit(a, b),
      (a, b) => enc.chunk(a, b), (a) => enc.countBatch(a), (a, b) => il.compress(a, b), (a, b) => il.decompress(a, b),
      (a, b) => il.decodeText(a, b), (a) => il.isBinary(a), (a) => il.getEncoding(a), (a) => il.encodingForModel(a),
      (a, b) => il.countChat(a, b), (a, b) => il.readTextFileSync(a, b),
    ];
    let errors = 0;
    for (let i = 0; i < CASES * 5; i++) {
      const f = calls[i % calls.length];
      const args = [pick(), pick(), pick()];
      try {
        f(...args);
      } catch (e) {
        errors++;
        assert.ok(e instanceof il.IronlungError, `call ${i % calls.length} (${f}) threw ${e && e.name}: ${e && e.message}`);
        assert.ok(CODES.has(e.code) || /^E[A-Z]+$/.test(e.code), `an unlisted code ${e.code}: ${e.message}`);
        assert.doesNotMatch(e.message, /undefined undefined|number null|\[object Object\]/);
      }
    }
    assert.ok(errors > CASES, `only ${errors} calls failed: the bad arguments are not reaching the API`);
  });
});
