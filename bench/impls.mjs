// The implementations the benchmark compares, each reduced to "count the ordinary tokens of a
// string". Loaded by bench/worker.mjs, one implementation per process.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');
// The package's CommonJS entry, as it ships (scripts/build.sh bundles js/node.cjs into it).
export const IRONLUNG_ENTRY = path.join(ROOT, 'js', 'node.bundle.cjs');
const require = createRequire(path.join(BENCH_DIR, 'package.json'));

export const ENCODINGS = ['cl100k_base', 'o200k_base'];
const HYPERTOK_VOCAB = { cl100k_base: '@hypertok/vocab-cl100k', o200k_base: '@hypertok/vocab-o200k' };

export function hypertokVocabPath(encoding) {
  return path.join(BENCH_DIR, 'node_modules', HYPERTOK_VOCAB[encoding], 'vocab.htk');
}

function ironlung(backend, threads) {
  return {
    async load(encoding) {
      // The worker is spawned with IRONLUNG_BACKEND set; make sure the backend is the one asked for.
      process.env.IRONLUNG_BACKEND = backend;
      const api = require(IRONLUNG_ENTRY);
      if (api.backend !== backend) throw new Error(`ironlung loaded the ${api.backend} backend, not ${backend}`);
      const enc = api.getEncoding(encoding);
      return (text) => enc.count(text);
    },
    // Cold start: `node -e` code (cwd = bench/), printing the count of 'hello world'.
    cold: (encoding) =>
      `process.stdout.write(String(require(${JSON.stringify(IRONLUNG_ENTRY)}).getEncoding(${JSON.stringify(encoding)}).count('hello world')))`,
    env: { IRONLUNG_BACKEND: backend, ...(threads ? { IRONLUNG_THREADS: String(threads) } : {}) },
  };
}

/**
 * name -> { label, package, load(encoding) => Promise<(text) => count>, cold(encoding) => code, env }
 * Each is used the way its README recommends for Node, counting ordinary tokens (special-token
 * text, of which the corpora have none, would be plain text or an error, never a special id).
 */
export const IMPLS = {
  'ironlung-native': { label: 'ironlung native', ...ironlung('native') },
  // The native addon splits a large count across cores; this row shows one core's share.
  'ironlung-native-1t': { label: 'ironlung native, 1 thread', ...ironlung('native', 1) },
  'ironlung-wasm': { label: 'ironlung wasm', ...ironlung('wasm') },
  hypertok: {
    label: 'hypertok',
    package: 'hypertok',
    async load(encoding) {
      const { fromBytes } = await import('hypertok');
      // tier 'single': on the calling thread (the tier Node gets by default anyway, as Node has
      // no global Worker); encodeSync is the synchronous path, ids only.
      const tk = await fromBytes(fs.readFileSync(hypertokVocabPath(encoding)), { tier: 'single' });
      if (tk.tier !== 'single') throw new Error(`hypertok chose the ${tk.tier} tier`);
      return (text) => tk.encodeSync(text).length;
    },
    cold: (encoding) =>
      `import('hypertok').then(async ({ fromBytes }) => { const tk = await fromBytes(require('fs').readFileSync(${JSON.stringify(
        hypertokVocabPath(encoding),
      )}), { tier: 'single' }); process.stdout.write(String(tk.encodeSync('hello world').length)); })`,
  },
  tiktoken: {
    label: 'tiktoken',
    package: 'tiktoken',
    async load(encoding) {
      const { get_encoding } = require('tiktoken');
      const enc = get_encoding(encoding);
      return (text) => enc.encode_ordinary(text).length;
    },
    cold: (encoding) =>
      `process.stdout.write(String(require('tiktoken').get_encoding(${JSON.stringify(encoding)}).encode_ordinary('hello world').length))`,
  },
  'js-tiktoken': {
    label: 'js-tiktoken',
    package: 'js-tiktoken',
    async load(encoding) {
      const { Tiktoken } = require('js-tiktoken/lite');
      const ranks = require(`js-tiktoken/ranks/${encoding}`);
      const enc = new Tiktoken(ranks.default ?? ranks);
      // allowedSpecial [], disallowedSpecial []: ordinary encoding, no special-token scan.
      return (text) => enc.encode(text, [], []).length;
    },
    cold: (encoding) =>
      `{ const { Tiktoken } = require('js-tiktoken/lite'); const r = require('js-tiktoken/ranks/${encoding}'); process.stdout.write(String(new Tiktoken(r.default ?? r).encode('hello world', [], []).length)); }`,
  },
  'gpt-tokenizer': {
    label: 'gpt-tokenizer',
    package: 'gpt-tokenizer',
    async load(encoding) {
      const { countTokens } = await import(`gpt-tokenizer/encoding/${encoding}`);
      return (text) => countTokens(text);
    },
    cold: (encoding) =>
      `process.stdout.write(String(require('gpt-tokenizer/encoding/${encoding}').countTokens('hello world')))`,
  },
};

export const IMPL_ORDER = ['ironlung-native', 'ironlung-wasm', 'hypertok', 'tiktoken', 'js-tiktoken', 'gpt-tokenizer'];
/** The throughput section adds the single-threaded native row. */
export const THROUGHPUT_ORDER = ['ironlung-native', 'ironlung-native-1t', ...IMPL_ORDER.slice(1)];
