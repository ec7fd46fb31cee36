// Agent context toolkit: budgets, truncation sides and markers, chunks, batches, async
// twins and readForContext, on the backend under test.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { il, rng, randomText, tempDir, throwsCode, rejectsCode } from './helpers.mjs';

const TEXTS = [
  '',
  'hello',
  'Hello, world! This is a sentence.\r\nAnd a second line.\r\n\r\nA new paragraph with 中文 and 😀.',
  '👩‍👩‍👧‍👦中文字符😀ab日本語 مرحبا नमस्ते',
  'fn main() {\n    println!("{}", 1 + 2);\n}\n'.repeat(20),
  'word '.repeat(3000),
];

describe(`isWithinLimit (${il.backend})`, () => {
  test('returns the count when within the limit, false otherwise', () => {
    const r = rng(11);
    const texts = [...TEXTS, ...Array.from({ length: 300 }, () => randomText(r, 30))];
    for (const name of ['cl100k_base', 'o200k_base', 'r50k_base']) {
      const enc = il.getEncoding(name);
      for (const t of texts) {
        const n = enc.count(t);
        for (const limit of [0, 1, Math.max(0, n - 1), n, n + 1, 10 * n + 5]) {
          assert.equal(enc.isWithinLimit(t, limit), n <= limit ? n : false, `${name} ${JSON.stringify(t.slice(0, 40))} ${limit}`);
        }
      }
    }
  });

  test('long texts: exact at the boundary, whatever the prefix sizes', () => {
    const enc = il.getEncoding('o200k_base');
    for (const t of ['HELLOWORLD'.repeat(5000) + ' end', 'x'.repeat(50_000), 'a b '.repeat(30_000), '中文'.repeat(20_000)]) {
      const n = enc.count(t);
      assert.equal(enc.isWithinLimit(t, n), n);
      assert.equal(enc.isWithinLimit(t, n - 1), false);
      assert.equal(enc.isWithinLimit(t, 100), false);
      assert.equal(enc.isWithinLimit(t, Infinity), n);
    }
  });

  test('argument errors', () => {
    const enc = il.getEncoding('o200k_base');
    throwsCode(() => enc.isWithinLimit('x', -1), 'ERR_INVALID_ARG', ['limit', '-1']);
    throwsCode(() => enc.isWithinLimit('x'), 'ERR_INVALID_ARG', ['limit']);
    throwsCode(() => enc.isWithinLimit(5, 5), 'ERR_INVALID_ARG', ['text']);
  });
});

describe(`truncate from every side (${il.backend})`, () => {
  for (const from of ['end', 'start', 'middle']) {
    test(`from '${from}': fits, keeps the right side, never splits a character`, () => {
      for (const name of ['cl100k_base', 'o200k_base']) {
        const enc = il.getEncoding(name);
        for (const text of TEXTS) {
          const total = enc.count(text);
          const first = from === 'middle' ? enc.count(`\n[… ${total} tokens omitted …]\n`) : 0;
          for (let max = first; max <= Math.min(total + 1, first + 40); max++) {
            const out = enc.truncate(text, max, { from });
            assert.ok(enc.count(out) <= max, `${name} ${from} ${max}`);
            assert.ok(!/[\ud800-\udbff]$|^[\udc00-\udfff]/.test(out), 'no split surrogate pair');
            if (total <= max) {
              assert.equal(out, text);
              continue;
            }
            if (from === 'end') assert.ok(text.startsWith(out));
            if (from === 'start') assert.ok(text.endsWith(out));
            if (from === 'middle') {
              const m = /\n\[… (\d+) tokens omitted …\]\n/.exec(out);
              assert.ok(m, JSON.stringify(out));
              const head = out.slice(0, m.index);
              const tail = out.slice(m.index + m[0].length);
              assert.ok(text.startsWith(head) && text.endsWith(tail));
              assert.equal(enc.count(text.slice(head.length, text.length - tail.length)), Number(m[1]));
            }
          }
        }
      }
    });
  }

  test('custom markers, {omitted}, and a marker longer than the budget', () => {
    const enc = il.getEncoding('o200k_base');
    const text = 'one two three four five six seven eight nine ten eleven twelve';
    const out = enc.truncate(text, 8, { from: 'end', marker: ' …[{omitted} more]' });
    assert.match(out, / …\[\d+ more\]$/);
    assert.ok(enc.count(out) <= 8);
    assert.equal(enc.truncate(text, 100, { marker: '[cut]' }), text, 'nothing cut, no marker');
    throwsCode(() => enc.truncate(text, 3, { from: 'middle', marker: '[a marker far longer than three tokens]' }), 'ERR_INVALID_ARG', ['marker', 'maxTokens 3']);
    throwsCode(() => enc.truncate('short', 2, { from: 'middle' }), 'ERR_INVALID_ARG', ['maxTokens 2']);
    throwsCode(() => enc.truncate(text, 5, { from: 'left' }), 'ERR_INVALID_ARG', ['from']);
    throwsCode(() => enc.truncate(text, 5, { marker: 7 }), 'ERR_INVALID_ARG', ['marker']);
    assert.equal(enc.truncate(text, 0), '');
    assert.equal(enc.truncate(text, 0, { from: 'start' }), '');
    assert.equal(enc.truncate('', 0, { from: 'start' }), '');
    // The 0.1 default is unchanged.
    assert.equal(enc.truncate(text, 4), enc.truncate(text, 4, { from: 'end' }));
  });
});

describe(`chunk (${il.backend})`, () => {
  const crlf = Array.from({ length: 40 }, (_, i) => `line ${i} 中文 😀 text\r\n${i % 6 === 0 ? '\r\n' : ''}`).join('');

  for (const boundary of ['token', 'line', 'paragraph']) {
    test(`boundary '${boundary}': tiles the text, each chunk fits`, () => {
      const enc = il.getEncoding('cl100k_base');
      for (const text of [...TEXTS, crlf]) {
        for (const maxTokens of [4, 9, 33, 500]) {
          const chunks = enc.chunk(text, { maxTokens, boundary });
          assert.equal(chunks.map((c) => c.text).join(''), text);
          let at = 0;
          for (const c of chunks) {
            assert.equal(c.start, at);
            assert.equal(c.text, text.slice(c.start, c.end));
            assert.equal(c.tokens, enc.count(c.text));
            assert.ok(c.tokens <= maxTokens);
            at = c.end;
          }
          if (boundary !== 'token' && text === crlf && maxTokens >= 33) {
            for (const c of chunks.slice(0, -1)) assert.ok(c.text.endsWith('\r\n'), 'CRLF is never split at a chunk boundary');
          }
          if (boundary === 'paragraph' && text === crlf && maxTokens === 500) {
            for (const c of chunks.slice(0, -1)) assert.ok(c.text.endsWith('\r\n\r\n'), 'paragraph chunks end on a blank line');
          }
        }
      }
    });
  }

  test('overlap repeats at most the given tokens and always advances', () => {
    const enc = il.getEncoding('o200k_base');
    const text = TEXTS[4];
    const chunks = enc.chunk(text, { maxTokens: 40, overlap: 10 });
    assert.equal(chunks[0].start, 0);
    assert.equal(chunks.at(-1).end, text.length);
    for (let i = 1; i < chunks.length; i++) {
      assert.ok(chunks[i].start > chunks[i - 1].start && chunks[i].start <= chunks[i - 1].end);
      assert.ok(enc.count(text.slice(chunks[i].start, chunks[i - 1].end)) <= 10);
    }
  });

  test('emoji and CJK at every cut point; empty text; bad options', () => {
    const enc = il.getEncoding('o200k_base');
    const text = TEXTS[3];
    for (let max = 3; max <= enc.count(text); max++) {
      const chunks = enc.chunk(text, { maxTokens: max });
      assert.equal(chunks.map((c) => c.text).join(''), text);
      for (const c of chunks) assert.ok(!/[\ud800-\udbff]$/.test(c.text) && c.tokens <= max);
    }
    assert.deepEqual(enc.chunk('', { maxTokens: 3 }), []);
    throwsCode(() => enc.chunk('x', { maxTokens: 0 }), 'ERR_INVALID_ARG', ['maxTokens must be at least 1, got 0']);
    throwsCode(() => enc.chunk('x', { maxTokens: 4, overlap: 4 }), 'ERR_INVALID_ARG', ['overlap 4']);
    // Past 2^32 - 1 (the core's counts), an overlap below maxTokens stays valid, and a bad
    // one is named as given.
    assert.deepEqual(enc.chunk('x y', { maxTokens: 2 ** 40, overlap: 2 ** 40 - 1 }), [{ text: 'x y', start: 0, end: 3, tokens: 2 }]);
    throwsCode(() => enc.chunk('x', { maxTokens: 2 ** 40, overlap: 2 ** 40 }), 'ERR_INVALID_ARG', [`overlap ${2 ** 40} must be smaller than maxTokens ${2 ** 40}`]);
    throwsCode(() => enc.chunk('x', { maxTokens: 4, boundary: 'word' }), 'ERR_INVALID_ARG', ['boundary']);
    throwsCode(() => enc.chunk('x'), 'ERR_INVALID_ARG', ['maxTokens']);
    const wide = ['𓀀', '🫠', '\u{10FFFD}', '𝔘'].find((c) => enc.count(c) >= 2);
    throwsCode(() => enc.chunk(wide + wide, { maxTokens: 1 }), 'ERR_INVALID_ARG', ['too small', 'index 0']);
  });
});

describe(`countBatch and async twins (${il.backend})`, () => {
  test('countBatch equals count for each text', () => {
    const enc = il.getEncoding('cl100k_base');
    const got = enc.countBatch(TEXTS);
    assert.ok(got instanceof Uint32Array);
    assert.deepEqual(Array.from(got), TEXTS.map((t) => enc.count(t)));
    assert.deepEqual(enc.countBatch([]), new Uint32Array(0));
    throwsCode(() => enc.countBatch(['a', 1]), 'ERR_INVALID_ARG', ['texts[1]']);
  });

  test('async twins give identical results; a large countAsync is identical to count', async () => {
    const enc = il.getEncoding('o200k_base');
    for (const t of TEXTS) {
      assert.equal(await enc.countAsync(t), enc.count(t));
      assert.deepEqual(await enc.encodeAsync(t), enc.encode(t));
      assert.deepEqual(await enc.chunkAsync(t, { maxTokens: 7, boundary: 'line' }), enc.chunk(t, { maxTokens: 7, boundary: 'line' }));
    }
    // Over 1 MB, the native backend splits the work across threads: the same count.
    const r = rng(3);
    let big = '';
    while (big.length < 1_200_000) big += randomText(r, 40) + ' ' + TEXTS[4];
    assert.equal(await enc.countAsync(big), enc.count(big));
    await rejectsCode(() => enc.encodeAsync('<|endoftext|>'), 'ERR_DISALLOWED_SPECIAL');
    await rejectsCode(() => enc.chunkAsync('x', { maxTokens: 0 }), 'ERR_INVALID_ARG');
  });
});

describe(`readForContext (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  before(() => {
    writeFileSync(p('doc.md'), '# Title\n\n' + 'Some paragraph text with 中文 and code `x = 1`.\n'.repeat(200));
    writeFileSync(p('small.txt'), 'tiny file');
    writeFileSync(p('bin.dat'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]));
    mkdirSync(p('dir'));
  });
  after(() => t.cleanup());

  test('reads, counts and truncates with a marker in one call', async () => {
    const enc = il.getEncoding('o200k_base');
    const full = il.readTextFileSync(p('doc.md'));
    const whole = await il.readForContext(p('doc.md'));
    assert.deepEqual(whole, { text: full, tokens: enc.count(full), truncated: false, omittedTokens: 0, bytes: Buffer.byteLength(full), encoding: 'o200k_base' });
    for (const truncate of ['end', 'middle']) {
      const r = await il.readForContext(p('doc.md'), { maxTokens: 100, truncate });
      assert.equal(r.truncated, true);
      assert.ok(r.tokens <= 100 && r.tokens === enc.count(r.text));
      assert.ok(r.omittedTokens > 0);
      assert.match(r.text, new RegExp(`\\[… ${r.omittedTokens} tokens omitted …\\]`));
      if (truncate === 'end') assert.ok(full.startsWith(r.text.slice(0, r.text.lastIndexOf('\n[…'))));
    }
    // A budget under the marker's own 8 tokens: a file that fits is whole, one that does not
    // is cut without a marker (truncated says so), never refused.
    assert.deepEqual(await il.readForContext(p('small.txt'), { maxTokens: 5 }), { text: 'tiny file', tokens: 2, truncated: false, omittedTokens: 0, bytes: 9, encoding: 'o200k_base' });
    for (const truncate of ['end', 'middle']) {
      const cut = await il.readForContext(p('doc.md'), { maxTokens: 2, truncate });
      assert.ok(cut.truncated && cut.tokens <= 2 && !cut.text.includes('omitted'), JSON.stringify(cut));
      assert.equal(cut.omittedTokens + cut.tokens >= whole.tokens - 2, true);
    }
    const small = await il.readForContext(p('small.txt'), { model: 'gpt-4', maxTokens: 100 });
    assert.equal(small.encoding, 'cl100k_base');
    assert.equal(small.text, 'tiny file');
    assert.equal(small.tokens, il.getEncoding('cl100k_base').count('tiny file'));
  });

  test('the same coded errors as readTextFile', async () => {
    await rejectsCode(() => il.readForContext(p('missing')), 'ENOENT', ['missing']);
    await rejectsCode(() => il.readForContext(p('dir')), 'EISDIR');
    await rejectsCode(() => il.readForContext(p('bin.dat')), 'ERR_BINARY_FILE');
    await rejectsCode(() => il.readForContext(p('doc.md'), { maxBytes: 10 }), 'ERR_FILE_TOO_LARGE', ['maxBytes 10']);
    await rejectsCode(() => il.readForContext('/dev/zero'), 'ERR_NOT_REGULAR_FILE');
    await rejectsCode(() => il.readForContext(p('doc.md'), { truncate: 'start' }), 'ERR_INVALID_ARG', ['truncate']);
    await rejectsCode(() => il.readForContext(p('doc.md'), { encoding: 'nope' }), 'ERR_UNKNOWN_ENCODING');
    await rejectsCode(() => il.readForContext(p('doc.md'), { model: 'nope' }), 'ERR_UNKNOWN_MODEL');
  });
});
