// Tokenizer conformance (against OpenAI's tiktoken from npm) and API behaviour.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il, require, rng, randomText, throwsCode } from './helpers.mjs';

const tiktoken = require('tiktoken');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The oracle: npm tiktoken. o200k_harmony is built from o200k_base's ranks with its specials. */
function oracle(name) {
  if (name !== 'o200k_harmony') return tiktoken.get_encoding(name);
  const base = require('tiktoken/encoders/o200k_base.json');
  const specials = {
    '<|startoftext|>': 199998, '<|endoftext|>': 199999, '<|return|>': 200002, '<|constrain|>': 200003,
    '<|channel|>': 200005, '<|start|>': 200006, '<|end|>': 200007, '<|message|>': 200008, '<|call|>': 200012,
  };
  for (const r of [200000, 200001, 200004, 200009, 200010, 200011]) specials[`<|reserved_${r}|>`] = r;
  for (let r = 200013; r <= 201087; r++) specials[`<|reserved_${r}|>`] = r;
  return new tiktoken.Tiktoken(base.bpe_ranks, specials, base.pat_str);
}

function sourceFiles() {
  const dirs = ['crates/core/src/tokenizer', 'js', '__test__'];
  return dirs.flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => /\.(rs|mjs|cjs)$/.test(f))
      .map((f) => readFileSync(join(root, d, f), 'utf8')),
  );
}

const FIXED = [
  '',
  ' ',
  'hello world',
  "Hello, World! How's it going? I'LL be there; they'RE here, we've 'VE done it.",
  // whitespace runs and CRLF
  '   leading and trailing   ',
  'tabs\t\tand\t \tmixed   \n\n  \r\n\r\n  lines\r\n',
  'line one\r\nline two\r\n\r\n\r\n',
  'trailing newline then spaces\n   ',
  'a  b   c    d\n\n\n e \u00a0\u2003\u3000x',
  // emoji with ZWJ, flags, skin tones
  '👩‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 thumbs, 🇫🇷, 👨🏿‍🚀',
  // CJK, Arabic, Devanagari
  '中文分词测试：这是一个句子。日本語のテキストも。한국어 문장도 있습니다.',
  'مرحبا بالعالم، هذا نص عربي. ١٢٣',
  'नमस्ते दुनिया, यह हिंदी पाठ है। १२३',
  // code
  'fn main() {\n    let x: Vec<u32> = (0..10).map(|i| i * 2).collect();\n    println!("{x:?}");\n}\n',
  'def f(x):\n\treturn x ** 2  # square\n\nclass A(B): pass\n',
  'const re = /^(?:[a-z]+)\\s*$/giu;\r\nexport default { re };\r\n',
  // text that looks like special tokens
  '<|endoftext|> is special, <|fim_prefix|> too, but <|not_special|> and <|endoftext is not',
  '<|<|endoftext|>|> <||> <|im_start|>user<|im_sep|>',
  // numbers, case, marks
  '123 4567 89012345 3.14159 1e-9 0x1F',
  'Ǆemo ǅemo ǆemo ΣΊΣΥΦΟΣ ﬁne ＡＢＣ ｆｕｌｌ',
  'e\u0301\u0302\u0303 a\u20dd \u{1f1e6}\u{1f1e8}',
  '\ufeffBOM at start',
  'NUL\0in\0text',
  // very long runs of one character
  'a'.repeat(25_000),
  ' '.repeat(20_000),
  '\n'.repeat(5_000),
  '😀'.repeat(5_000),
  '中'.repeat(10_000),
  '1'.repeat(20_000),
  '!'.repeat(20_000),
  'ab'.repeat(20_000),
];

const SPECIALS_LIKE = 'x <|endoftext|> y <|fim_middle|> z <|endofprompt|> w <|start|>';

for (const name of il.listEncodings()) {
  describe(`conformance ${name} (${il.backend})`, () => {
    const enc = il.getEncoding(name);
    const ref = oracle(name);

    test('fixed texts: encodeOrdinary, count and round trip match tiktoken', () => {
      for (const text of FIXED) {
        const want = ref.encode_ordinary(text);
        const got = enc.encodeOrdinary(text);
        assert.ok(got instanceof Uint32Array);
        assert.deepEqual(got, want, `${name} on ${JSON.stringify(text.slice(0, 60))}`);
        assert.equal(enc.count(text), want.length);
        assert.equal(enc.decode(got), text);
      }
    });

    test('source code files match tiktoken', () => {
      for (const text of sourceFiles()) {
        assert.deepEqual(enc.encodeOrdinary(text), ref.encode_ordinary(text));
      }
    });

    test('seeded random multilingual texts match tiktoken', () => {
      const r = rng(1234 + name.length);
      for (let i = 0; i < 5000; i++) {
        const text = randomText(r, 24);
        assert.deepEqual(enc.encodeOrdinary(text), ref.encode_ordinary(text), JSON.stringify(text));
      }
    });

    test("encode with allowedSpecial 'all' matches tiktoken", () => {
      const text = `${SPECIALS_LIKE} ${enc.specialTokens.join(' ')}`.slice(0, 20_000);
      assert.deepEqual(enc.encode(text, { allowedSpecial: 'all' }), ref.encode(text, 'all'));
      assert.deepEqual(enc.encode(text, { disallowedSpecial: [] }), ref.encode(text, [], []));
      assert.equal(enc.decode(enc.encode(text, { allowedSpecial: 'all' })), text);
    });
  });
}

describe(`tokenizer API (${il.backend})`, () => {
  const enc = il.getEncoding('cl100k_base');

  test('listEncodings and names', () => {
    assert.deepEqual(il.listEncodings(), ['r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base', 'o200k_harmony']);
    for (const n of il.listEncodings()) assert.equal(il.getEncoding(n).name, n);
    assert.equal(il.getEncoding('gpt2').name, 'r50k_base');
  });

  test('encodings are shared objects', () => {
    assert.equal(il.getEncoding('cl100k_base'), enc);
    assert.equal(il.encodingForModel('gpt-4'), enc);
    assert.ok(Object.isFrozen(enc));
    assert.equal(typeof enc.free, 'undefined');
  });

  test('encodingForModel covers current and dated model names', () => {
    const cases = {
      'gpt-4o': 'o200k_base',
      'gpt-4o-2024-08-06': 'o200k_base',
      'gpt-4o-mini': 'o200k_base',
      'gpt-4.1-mini-2025-04-14': 'o200k_base',
      'gpt-5': 'o200k_base',
      'gpt-5-nano': 'o200k_base',
      o1: 'o200k_base',
      'o3-mini': 'o200k_base',
      'o4-mini-2025-04-16': 'o200k_base',
      'gpt-oss-20b': 'o200k_harmony',
      'gpt-4-turbo': 'cl100k_base',
      'gpt-3.5-turbo-0125': 'cl100k_base',
      'text-embedding-3-large': 'cl100k_base',
      'text-davinci-003': 'p50k_base',
      'code-davinci-edit-001': 'p50k_edit',
      davinci: 'r50k_base',
      'ft:gpt-4o-mini-2024-07-18:acme::abc': 'o200k_base',
    };
    for (const [model, name] of Object.entries(cases)) assert.equal(il.encodingForModel(model).name, name, model);
    // The same table as tiktoken's, where tiktoken knows the name.
    for (const model of Object.keys(cases)) {
      let want;
      try {
        want = tiktoken.get_encoding_name_for_model(model);
      } catch {
        continue;
      }
      if (want === 'gpt2') want = 'r50k_base';
      assert.equal(il.encodingForModel(model).name, want, model);
    }
  });

  test('unknown names are coded errors naming the value', () => {
    throwsCode(() => il.getEncoding('cl100k'), 'ERR_UNKNOWN_ENCODING', ['"cl100k"', 'cl100k_base']);
    throwsCode(() => il.encodingForModel('llama-3-70b'), 'ERR_UNKNOWN_MODEL', ['"llama-3-70b"']);
    throwsCode(() => il.getEncoding(42), 'ERR_INVALID_ARG', ['number 42']);
    throwsCode(() => il.encodingForModel(), 'ERR_INVALID_ARG');
  });

  test('special tokens are disallowed by default, with an actionable message', () => {
    const e = throwsCode(() => enc.encode('hi <|endoftext|>'), 'ERR_DISALLOWED_SPECIAL', ['<|endoftext|>', 'allowedSpecial']);
    assert.match(e.message, /disallowedSpecial/);
    assert.deepEqual(enc.encode('hi <|endoftext|>', { allowedSpecial: ['<|endoftext|>'] }), new Uint32Array([6151, 220, 100257]));
    assert.deepEqual(enc.encode('hi <|endoftext|>', { allowedSpecial: new Set(['<|endoftext|>']) }), new Uint32Array([6151, 220, 100257]));
    // Allowing one leaves the others disallowed.
    throwsCode(() => enc.encode('<|endoftext|><|fim_prefix|>', { allowedSpecial: ['<|endoftext|>'] }), 'ERR_DISALLOWED_SPECIAL', ['<|fim_prefix|>']);
    // A custom disallowed list: the rest stays ordinary text.
    assert.deepEqual(enc.encode('<|fim_prefix|>', { disallowedSpecial: ['<|endoftext|>'] }), enc.encodeOrdinary('<|fim_prefix|>'));
    throwsCode(() => enc.encode('x', { allowedSpecial: ['<|bogus|>'] }), 'ERR_INVALID_ARG', ['<|bogus|>']);
    throwsCode(() => enc.encode('x', { allowedSpecial: 'some' }), 'ERR_INVALID_ARG', ['allowedSpecial']);
    assert.deepEqual(enc.encodeOrdinary('<|endoftext|>'), tiktoken.get_encoding('cl100k_base').encode_ordinary('<|endoftext|>'));
  });

  // 0.1 scanned the lists once per special token found: here 10^5 specials against lists of
  // 10^6 names, 10^11 string comparisons, minutes of one synchronous call. One pass over each
  // list takes under a second. The calls run in a child killed after 60 s, a net (a test's
  // own timeout cannot stop a synchronous call), not a speed target: the bench's worst-case
  // table measures the growth.
  test('long allowedSpecial and disallowedSpecial lists cost one pass each, not one per special found', () => {
    const script = `
      const enc = require('./').getEncoding('cl100k_base');
      const filler = Array(1e6 - 2).fill('<|fim_middle|>');
      const text = 'x <|endoftext|> y <|fim_prefix|>'.repeat(5e4);
      const ids = enc.encode(text, { allowedSpecial: [...filler, '<|endoftext|>', '<|fim_prefix|>'] });
      // Each <|endoftext|> is looked up in the disallowed list and is not there; the last token is.
      const late = '<|endoftext|> '.repeat(1e5) + '<|fim_prefix|>';
      let error;
      try { enc.encode(late, { disallowedSpecial: [...filler, '<|fim_prefix|>'] }) } catch (e) { error = [e.code, e.message] }
      console.log(JSON.stringify({ length: ids.length, head: [...ids.subarray(0, 6)], error }));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env: process.env, timeout: 60_000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal} (SIGTERM: killed after 60 s): ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    assert.equal(out.length, 3e5);
    assert.deepEqual(out.head, [87, 220, 100257, 379, 220, 100258]);
    assert.equal(out.error[0], 'ERR_DISALLOWED_SPECIAL');
    assert.match(out.error[1], /"<\|fim_prefix\|>" at index 1400000\b/);
  });

  test('decode, decodeBytes and invalid tokens', () => {
    const toks = enc.encode('héllo 😀 wörld');
    assert.equal(enc.decode(toks), 'héllo 😀 wörld');
    assert.equal(enc.decode(Array.from(toks)), 'héllo 😀 wörld');
    assert.deepEqual(enc.decodeBytes(toks), new TextEncoder().encode('héllo 😀 wörld'));
    assert.ok(enc.decodeBytes(toks) instanceof Uint8Array);
    const emoji = enc.encode('😀');
    assert.ok(emoji.length > 1);
    assert.equal(enc.decode(emoji.subarray(0, 1)), '\ufffd');
    assert.deepEqual(enc.decodeBytes(emoji.subarray(0, 1)), new TextEncoder().encode('😀').subarray(0, enc.decodeBytes(emoji.subarray(0, 1)).length));
    throwsCode(() => enc.decode([9906, 100261]), 'ERR_INVALID_TOKEN', ['100261', 'index 1', 'cl100k_base']);
    throwsCode(() => enc.decode([1, -1]), 'ERR_INVALID_TOKEN', ['-1', 'index 1']);
    throwsCode(() => enc.decode([1.5]), 'ERR_INVALID_TOKEN', ['1.5']);
    throwsCode(() => enc.decode(new Uint32Array([4294967295])), 'ERR_INVALID_TOKEN', ['4294967295']);
    throwsCode(() => enc.decode('abc'), 'ERR_INVALID_ARG');
    assert.equal(enc.decode([]), '');
  });

  test('count equals encodeOrdinary length', () => {
    for (const t of FIXED) assert.equal(enc.count(t), enc.encodeOrdinary(t).length);
    throwsCode(() => enc.count(null), 'ERR_INVALID_ARG', ['null']);
  });

  test('large texts count exactly as they encode (native splits them across cores)', async () => {
    const r = rng(77);
    const words = ['the', ' quick', ' Brown', '\n', '  ', '中文字符', ' 日本語です', '\u00e9t\u00e9', ' 123456', "'s", ' --', '😀', '\t'];
    let big = '';
    while (big.length < 300_000) big += r.below(4) === 0 ? randomText(r, 30) : words[r.below(words.length)];
    for (const name of ['cl100k_base', 'o200k_base', 'r50k_base']) {
      const e = il.getEncoding(name);
      const n = e.encodeOrdinary(big).length;
      assert.equal(e.count(big), n, name);
      assert.equal(await e.countAsync(big), n, name);
      assert.equal(e.count(big.slice(1)), e.encodeOrdinary(big.slice(1)).length, name);
    }
  });

  test('a lone surrogate at any offset of ASCII text is U+FFFD, in short and long strings', () => {
    // The native addon converts UTF-16 itself (16 units per step): short strings on the
    // stack, long ones in per-thread buffers. On wasm, long strings with an ASCII head are
    // written into the module with TextEncoder (js/wasminput.mjs). All must agree with the
    // well-formed text.
    for (const pad of ['', 'x'.repeat(600), 'x '.repeat(9000)]) {
      for (let k = 0; k < 40; k++) {
        const t = pad + 'a'.repeat(k) + '\ud83d' + ' b'.repeat(20) + '\udc00' + 'c'.repeat(k % 17) + '\ud800\ud83d\ude00é中' + pad;
        const fixed = t.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
        assert.equal(enc.count(t), enc.count(fixed), `offset ${k}, ${t.length} units`);
        assert.equal(enc.count(t), enc.encodeOrdinary(fixed).length, `offset ${k}, ${t.length} units`);
        assert.deepEqual(enc.encodeOrdinary(t), enc.encodeOrdinary(fixed), `offset ${k}, ${t.length} units`);
      }
    }
  });

  test('strings around the native stack-buffer size (256 units) convert whole', () => {
    for (let n = 250; n <= 262; n++) {
      for (const tail of ['\ud83d\ude00', '\ud83d', 'é', '中', '']) {
        const t = 'ab '.repeat(n).slice(0, n - tail.length) + tail;
        const fixed = t.replace(/[\ud800-\udbff](?![\udc00-\udfff])/g, '\ufffd');
        const tokens = enc.encodeOrdinary(t);
        assert.equal(enc.decode(tokens), fixed, `${t.length} units, tail ${JSON.stringify(tail)}`);
        assert.equal(enc.count(t), tokens.length, `${t.length} units, tail ${JSON.stringify(tail)}`);
      }
    }
  });

  test('a lone surrogate becomes U+FFFD and never crashes', async () => {
    for (const t of ['\ud800', 'a\udfffb', '😀'.slice(0, 1) + 'x', '\udc00\ud800', 'ab \ud83d '.repeat(100)]) {
      const fixed = t.toWellFormed ? t.toWellFormed() : t.replace(/[\ud800-\udfff]/g, '\ufffd');
      assert.deepEqual(enc.encodeOrdinary(t), enc.encodeOrdinary(fixed));
      assert.equal(enc.count(t), enc.count(fixed));
      assert.equal(enc.decode(enc.encode(t)), fixed);
      assert.equal(enc.truncate(t, 100), t.length < 50 ? fixed : enc.truncate(fixed, 100));
      // Every other way a string reaches the backend, sync and async.
      assert.equal(enc.truncate(t, 100, { from: 'start' }), enc.truncate(fixed, 100, { from: 'start' }));
      assert.equal(enc.decode(enc.encode(enc.truncate(t, 5, { from: 'middle', marker: '…' }))), enc.truncate(fixed, 5, { from: 'middle', marker: '…' }));
      assert.equal(await enc.countAsync(t), enc.count(fixed));
      assert.deepEqual(await enc.encodeAsync(t), enc.encode(fixed));
      const tokensOf = (chunks) => chunks.map((c) => [c.start, c.end, c.tokens]);
      assert.deepEqual(tokensOf(enc.chunk(t, { maxTokens: 3 })), tokensOf(enc.chunk(fixed, { maxTokens: 3 })));
      assert.deepEqual(tokensOf(await enc.chunkAsync(t, { maxTokens: 3 })), tokensOf(enc.chunk(fixed, { maxTokens: 3 })));
    }
  });
});

describe(`truncate (${il.backend})`, () => {
  const segmenter = new Intl.Segmenter();
  for (const name of ['cl100k_base', 'o200k_base', 'r50k_base']) {
    test(`${name}: longest prefix within budget, never splitting a character`, () => {
      const enc = il.getEncoding(name);
      const texts = [
        'Hello, world! This is a test of truncation.',
        '中文分词测试：这是一个句子。日本語のテキスト',
        '👩‍👩‍👧‍👦🏳️‍🌈👍🏽🇫🇷 emoji 😀😀😀',
        'مرحبا بالعالم नमस्ते दुनिया',
        'line\r\nline\r\n\r\n   trailing   ',
        'fn main() {\n    println!("hi");\n}\n',
      ];
      for (const text of texts) {
        const total = enc.count(text);
        const chars = Array.from(text);
        for (let max = 0; max <= total + 1; max++) {
          const cut = enc.truncate(text, max);
          assert.ok(text.startsWith(cut), 'is a prefix');
          assert.ok(enc.count(cut) <= max, `fits: ${max}`);
          // Ends on a code point boundary (no lone surrogate at the end).
          assert.ok(!/[\ud800-\udbff]$/.test(cut), 'does not split a surrogate pair');
          if (cut.length < text.length) {
            // Longest: no longer prefix (by whole characters) fits.
            let longer = cut;
            for (const ch of chars.slice(Array.from(cut).length)) {
              longer += ch;
              assert.ok(enc.count(longer) > max, `${JSON.stringify(longer)} also fits ${max}`);
            }
          } else {
            assert.ok(total <= max);
          }
        }
      }
      void segmenter;
    });
  }

  test('budget validation', () => {
    const enc = il.getEncoding('o200k_base');
    assert.equal(enc.truncate('', 0), '');
    assert.equal(enc.truncate('hello', 0), '');
    assert.equal(enc.truncate('hello world', Infinity), 'hello world');
    throwsCode(() => enc.truncate('x', -1), 'ERR_INVALID_ARG', ['maxTokens', '-1']);
    throwsCode(() => enc.truncate('x', 1.5), 'ERR_INVALID_ARG', ['1.5']);
    throwsCode(() => enc.truncate('x', NaN), 'ERR_INVALID_ARG');
    throwsCode(() => enc.truncate('x'), 'ERR_INVALID_ARG', ['maxTokens']);
  });

  test('one million of one character stays fast and correct', () => {
    const enc = il.getEncoding('o200k_base');
    const a = 'a'.repeat(1_000_000);
    const cut = enc.truncate(a, 5000);
    assert.ok(enc.count(cut) <= 5000 && cut.length > 5000);
  });
});
