// A real headless Chromium loads the browser build from a page served on localhost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { join, normalize, extname } from 'node:path';
import { TEXTS } from './expected.mjs';

const repo = createRequire(process.env.IRONLUNG_REPO + '/package.json');
const { chromium } = repo('playwright-core');
const expected = JSON.parse(process.env.IRONLUNG_EXPECTED);
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

let server;
let browser;
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
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the browser build counts exactly and round-trips zstd', async () => {
  const page = await browser.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(String(e)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__ironlung, null, { timeout: 30_000 });
  const out = await page.evaluate(() => window.__ironlung);
  assert.equal(out.failure, undefined, `${out.failure}\n${logs.join('\n')}`);
  assert.equal(out.backend, 'wasm');
  assert.deepEqual(out.tokens, expected);
  assert.equal(out.tokens.cl100k_base.length, TEXTS.length);
  assert.equal(out.zstd.roundTrip, true);
  assert.deepEqual(out.streams, { roundTrip: true, oneShot: 20000, capped: 'ERR_OUTPUT_TOO_LARGE', noNodeStreams: 'ERR_UNSUPPORTED_RUNTIME' });
  assert.deepEqual(out.dictionary, { named: true, roundTrip: true, smaller: true, mismatch: 'ERR_DICTIONARY_MISMATCH' });
  assert.equal(out.decodeText, 'hi');
  assert.deepEqual(out.errors, { readTextFile: 'ERR_UNSUPPORTED_RUNTIME', corrupt: 'ERR_CORRUPT_DATA', panic: 'ERR_INTERNAL', openLog: 'ERR_UNSUPPORTED_RUNTIME' });
  assert.equal(out.afterPanic, 2);
  assert.equal(out.beforeLoad, 'ERR_NOT_INITIALIZED');
  // Only the rank data of the encodings used was downloaded.
  const ranks = out.requests.filter((r) => r.endsWith('_base.wasm')).sort();
  assert.deepEqual(ranks, ['cl100k_base.wasm', 'o200k_base.wasm']);
});
