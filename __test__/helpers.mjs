// Shared test helpers: the backend under test, a seeded PRNG, temp files, the CLI.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const require = createRequire(import.meta.url);

/**
 * js/node.bundle.cjs, the package's CommonJS entry, which scripts/build.sh makes from js/:
 * the suite tests what ships, so a bundle older than a file it is made from is an error.
 */
function builtEntry() {
  const js = join(dirname(fileURLToPath(import.meta.url)), '..', 'js');
  const bundle = join(js, 'node.bundle.cjs');
  const built = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) throw new Error('js/node.bundle.cjs is missing: run npm run build');
  for (const dir of [js, join(js, 'gen')]) {
    for (const f of readdirSync(dir)) {
      if (/\.[mc]js$/.test(f) && f !== 'node.bundle.cjs' && statSync(join(dir, f)).mtimeMs > built) {
        throw new Error(`js/node.bundle.cjs is older than ${f}: run bash scripts/build.sh js`);
      }
    }
  }
  return bundle;
}

/** The API under test; IRONLUNG_BACKEND (native|wasm) picks the backend. */
export const il = require(builtEntry());

/** xorshift64*, so random cases reproduce from their seed. */
export function rng(seed) {
  let s = BigInt(seed) | 1n;
  const mask = (1n << 64n) - 1n;
  const next = () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & mask;
    s ^= s >> 27n;
    return Number(((s * 0x2545f4914f6cdd1dn) & mask) >> 11n);
  };
  return { next, below: (n) => next() % n };
}

/** `len` bytes that do not compress, quick to make (a xorshift of `seed`). */
export function noise(len, seed) {
  const out = new Uint8Array(len);
  let x = seed | 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

const ALPHABET = [
  'a', 'b', 'Z', 'é', 'ß', 'ſ', 'K', '0', '7', '٣', '½', ' ', '  ', '\t', '\n', '\r\n', '\r', '\u00a0',
  '\u2003', '\u3000', "'", "'s", "'S", "'ll", "'LL", "'Re", '’', '.', ',', '!', '?', '/', '//', '-', '_',
  '(', ')', '{', '}', '<|', '|>', 'endoftext', '中', '文', '日本', '한', 'ع', 'ر', 'ب', 'ي',
  'क', 'ि', '्', 'ष', '😀', '👩‍💻', '🏳️‍🌈', '\u200d', '\u0301', 'e\u0301', 'Ǆ', 'ǅ', 'ǆ', 'ʰ', 'Ⅷ',
  '\u001c', '\u0085', '\u2028', 'x', '1234567', 'fn', ' main', '::', '=>', '"', '#', '$', '%',
  'ABC', 'Hello', 'WORLD', 'camelCase',
];

export function randomText(r, maxParts) {
  const n = r.below(maxParts + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    if (r.below(8) === 0) {
      let cp;
      do cp = r.below(0x110000);
      while (cp >= 0xd800 && cp <= 0xdfff);
      s += String.fromCodePoint(cp);
    } else {
      s += ALPHABET[r.below(ALPHABET.length)];
    }
  }
  return s;
}

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'ironlung-test-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts that `fn` throws (or rejects with) an IronlungError with `code`, and returns it. */
export async function rejectsCode(fn, code, messageIncludes = []) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${code}, but nothing was thrown`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  assert.ok(err instanceof Error, 'errors are Error instances');
  assert.ok(err instanceof il.IronlungError, 'errors are IronlungError instances');
  for (const part of [].concat(messageIncludes)) {
    assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} should mention ${JSON.stringify(part)}`);
  }
  return err;
}

export function throwsCode(fn, code, messageIncludes = []) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${code}, but nothing was thrown`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  assert.ok(err instanceof il.IronlungError, 'errors are IronlungError instances');
  for (const part of [].concat(messageIncludes)) {
    assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} should mention ${JSON.stringify(part)}`);
  }
  return err;
}

/** The CLI's entry. */
export const CLI = fileURLToPath(new URL('../bin/ironlung.cjs', import.meta.url));

/**
 * Runs the CLI to its end with `args` (and `input` on stdin, in `cwd`): its status, stdout
 * and stderr. A run that a signal ended (a timeout's included) throws, naming the signal: no
 * test expects one, and a rare one must say what it was. (An EPIPE writing `input` is
 * expected: the CLI may stop reading stdin early.)
 * @param {string[]} args
 * @param {{ input?: string | Uint8Array, cwd?: string, maxBuffer?: number }} [options]
 */
export function runCli(args, { input, cwd, maxBuffer = 64 << 20 } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, cwd, encoding: 'utf8', timeout: 60_000, maxBuffer });
  if (r.signal !== null) {
    throw new Error(`ironlung ${args.join(' ')}: ended by ${r.signal}${r.error ? ` (${r.error.message})` : ''}; stderr: ${r.stderr}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
