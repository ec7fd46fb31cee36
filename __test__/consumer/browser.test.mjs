// Real headless browsers, Chromium and Firefox (test/browsers.mjs in the repo), each load the
// browser build from a page served on localhost, with the same assertions.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TEXTS } from './expected.mjs';

const { BROWSERS, label, launch } = await import(pathToFileURL(join(process.env.IRONLUNG_REPO, 'test', 'browsers.mjs')).href);
const expected = JSON.parse(process.env.IRONLUNG_EXPECTED);
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

let server;
let origin;

before(async () => {
  const root = process.cwd();
  server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path === '/') path = '/browser.html';
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'content-type': types[extname(path)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server?.close();
});

for (const name of BROWSERS) describe(label(name), () => {
  let browser;
  before(async () => {
    browser = await launch(name);
  });
  after(async () => {
    await browser?.close();
  });

  test(`${label(name)}: the browser build counts exactly and round-trips zstd`, async (t) => {
    t.diagnostic(`${label(name)} ${browser.version}`);
    const page = await browser.open(`${origin}/`);
    try {
      await page.waitFor(() => window.__ironlung, null, { timeout: 30_000 });
      const out = await page.evaluate(() => window.__ironlung);
      check(out, page.detail());
    } finally {
      await page.close();
    }
  });
});

function check(out, detail) {
  assert.equal(out.failure, undefined, `${out.failure}${detail}`);
  assert.equal(out.backend, 'wasm', detail);
  assert.deepEqual(out.tokens, expected, detail);
  assert.equal(out.tokens.cl100k_base.length, TEXTS.length, detail);
  assert.equal(out.zstd.roundTrip, true, detail);
  assert.deepEqual(out.streams, { roundTrip: true, oneShot: 20000, capped: 'ERR_OUTPUT_TOO_LARGE', noNodeStreams: 'ERR_UNSUPPORTED_RUNTIME' }, detail);
  assert.deepEqual(out.dictionary, { named: true, roundTrip: true, smaller: true, mismatch: 'ERR_DICTIONARY_MISMATCH' }, detail);
  assert.equal(out.decodeText, 'hi', detail);
  assert.deepEqual(out.errors, { readTextFile: 'ERR_UNSUPPORTED_RUNTIME', corrupt: 'ERR_CORRUPT_DATA', panic: 'ERR_INTERNAL', openLog: 'ERR_UNSUPPORTED_RUNTIME' }, detail);
  assert.equal(out.afterPanic, 2, detail);
  assert.equal(out.beforeLoad, 'ERR_NOT_INITIALIZED', detail);
  // Only the rank data of the encodings used was downloaded.
  const ranks = out.requests.filter((r) => r.endsWith('_base.wasm')).sort();
  assert.deepEqual(ranks, ['cl100k_base.wasm', 'o200k_base.wasm'], detail);
  // zstd's module: not fetched while only tokens were used, then fetched once.
  assert.deepEqual(out.beforeZstd, { requested: false, compress: 'ERR_NOT_INITIALIZED', async: 'loaded on first use' }, detail);
  assert.deepEqual(out.requests.filter((r) => r.startsWith('ironlung')).sort(), ['ironlung-web.wasm', 'ironlung-zstd.wasm'], detail);
}
