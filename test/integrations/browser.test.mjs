// Browser bundlers, each as a user meets them: the app in vite/, esbuild/ or webpack/ is
// copied into a scratch project under target/integrations/browser/, the packed ironlung is
// installed there from its tarballs, the real tool (pinned in this folder's package.json)
// builds or serves it through the app's own npm scripts, and headless Chromium and Firefox
// (or Node, for the node bundle) run the result: every page check runs in each browser, with
// the same assertions, as a test that names the browser. Token ids are checked against
// OpenAI's tiktoken, computed here; zstd must round-trip; the page must raise no error and
// fetch nothing that fails; the bundle must carry no session log code, and load the wasm
// module built without it (nolog.mjs).
//
//   node --test test/integrations/browser.test.mjs
//
// IRONLUNG_TARBALLS: the packed tarballs, one path a line (default: `node scripts/pack.mjs`).
// IRONLUNG_BROWSERS, CHROMIUM, FIREFOX: which browsers, and where (see test/browsers.mjs).
// Tools run from test/integrations/node_modules/.bin (`npm ci` there first); nothing is
// downloaded but what npm installs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, normalize, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, label, launch, navigatedDuringCall } from '../browsers.mjs';
import { assertNoLogCodeIn, assertWebModuleIn, jsFiles } from './nolog.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const fromRepo = createRequire(join(repo, 'package.json'));
const tiktoken = fromRepo('tiktoken');
const toolsBin = join(here, 'node_modules', '.bin');
const scratch = join(repo, 'target', 'integrations', 'browser');

const TEXTS = [
  'Hello, world! How are you today?',
  '中文分词测试：这是一个句子。日本語のテキスト',
  '👩‍👩‍👧‍👦 family 🏳️‍🌈 flag 🤖 emoji',
  'fn main() {\n    println!("hi");\n}\r\n',
  'مرحبا بالعالم नमस्ते दुनिया Ünïcödé',
  '   leading spaces, tabs\tand\n\n\nblank lines  ',
  '',
];
const ENCODINGS = ['cl100k_base', 'o200k_base'];
const EXPECTED = Object.fromEntries(
  ENCODINGS.map((name) => {
    const enc = tiktoken.get_encoding(name);
    try {
      return [name, TEXTS.map((t) => Array.from(enc.encode(t)))];
    } finally {
      enc.free();
    }
  }),
);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};
const PAGE_TIMEOUT = 60_000;
const BUILD_TIMEOUT = 180_000;
const SERVER_TIMEOUT = 60_000;
const TOOL_ENV = { ...process.env, PATH: `${toolsBin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '0', BROWSER: 'none' };

// Every child is started in its own process group, so that npm, its shell and the tool die together.
const children = new Set();
function killGroup(child, signal = 'SIGTERM') {
  try {
    process.kill(-child.pid, signal);
  } catch {}
}
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
});

/** Runs a command to completion (bounded by `timeout`); resolves with its output, rejects with it. */
function run(cmd, args, { cwd, env = TOOL_ENV, timeout = BUILD_TIMEOUT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      out += `\n[killed after ${timeout} ms]`;
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${code ?? signal}:\n${out}`));
    });
  });
}

/** Starts a server command and waits for the http://127.0.0.1:PORT/ it prints. */
function startServer(cmd, args, { cwd, env = TOOL_ENV } = {}) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let log = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return children.delete(child);
    const closed = new Promise((r) => child.once('close', r));
    killGroup(child, 'SIGTERM');
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
    await closed;
    clearTimeout(t);
    children.delete(child);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${cmd} ${args.join(' ')} printed no URL within ${SERVER_TIMEOUT} ms:\n${log}`));
    }, SERVER_TIMEOUT);
    const onData = (d) => {
      log += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/?/.exec(log.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m && m[1] !== '0') {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}/`, stop, log: () => log });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before serving:\n${log}`));
    });
  });
}

/** A plain static file server for a built app (what any host would do), on loopback. */
async function serveStatic(root) {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'content-type': MIME[extname(path)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    stop: () => new Promise((r) => server.close(r)),
    log: () => '',
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

let tarballsCache;
/**
 * The tarballs, copied at once into this test's scratch folder: scripts/pack.mjs empties
 * target/pack/ on every run, and other test files may pack while this one installs.
 */
function tarballs() {
  if (tarballsCache) return tarballsCache;
  let list = process.env.IRONLUNG_TARBALLS;
  if (!list) {
    list = execFileSync(process.execPath, ['scripts/pack.mjs'], { cwd: repo, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'inherit'] });
  }
  const paths = list.split('\n').map((l) => l.trim()).filter(Boolean).map((p) => (isAbsolute(p) ? p : join(repo, p)));
  assert.ok(paths.length > 0, 'no ironlung tarballs');
  const kept = join(scratch, 'tarballs');
  rmSync(kept, { recursive: true, force: true });
  mkdirSync(kept, { recursive: true });
  tarballsCache = paths.map((p) => {
    assert.ok(existsSync(p), `tarball ${p} does not exist`);
    const copy = join(kept, basename(p));
    cpSync(p, copy);
    return copy;
  });
  return tarballsCache;
}

/** A fresh copy of test/integrations/<name> with the packed ironlung installed, as a user's project. */
async function project(name) {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  cpSync(join(here, name), dir, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist|\.vite)([/\\]|$)/.test(src.slice(join(here, name).length)),
  });
  await run('npm', ['install', '--no-audit', '--no-fund', '--offline=false', '--loglevel=error', ...tarballs()], { cwd: dir });
  return dir;
}

/** The launched browsers, by name (test/browsers.mjs). */
const browsers = {};
before(async () => {
  assert.ok(existsSync(toolsBin), `${toolsBin} is missing: run \`npm ci\` in test/integrations first`);
  tarballs();
  for (const name of BROWSERS) browsers[name] = await launch(name, { timeout: 60_000 });
});
after(async () => {
  for (const b of Object.values(browsers)) await b.close();
});

/**
 * Opens `url` in a fresh context of browser `name`, waits for the app's `window[fn]`, calls
 * it with TEXTS and returns its result with what went wrong on the way (page errors, failed
 * loads).
 */
async function inPage(name, url, fn) {
  const page = await browsers[name].open(url, { timeout: PAGE_TIMEOUT });
  try {
    await page.waitFor((fn) => typeof window[fn] === 'function', fn);
    const call = () => withTimeout(page.evaluate(([fn, texts]) => window[fn](texts), [fn, TEXTS]), PAGE_TIMEOUT, `${fn}() in ${url}`);
    const notes = [];
    let result;
    let failure;
    try {
      result = await call();
    } catch (e) {
      failure = e;
    }
    if (failure && navigatedDuringCall(failure)) {
      // Vite's dev server reloads the page once when its optimizer finds a dependency late.
      notes.push(`(the page navigated during the call; called again: ${failure.message.split('\n')[0]})`);
      failure = undefined;
      try {
        await page.waitFor((fn) => document.readyState === 'complete' && typeof window[fn] === 'function', fn);
        result = await call();
      } catch (e) {
        failure = e;
      }
    }
    const fetched = await page.resources();
    const detail = `${page.detail()}\n${notes.join('\n')}`;
    if (failure) throw new Error(`${failure.message}${detail}`);
    return { result, problems: page.problems, fetched, detail };
  } finally {
    await page.close();
  }
}

function assertCounts(out, backend, detail = '') {
  assert.equal(out.backend, backend, detail);
  assert.deepEqual(out.tokens, EXPECTED, `token ids differ from tiktoken's${detail}`);
  for (const name of ENCODINGS) assert.deepEqual(out.counts[name], EXPECTED[name].map((t) => t.length), `${name} counts${detail}`);
  assert.equal(out.zstd.roundTrip, true, `zstd round trip${detail}`);
  assert.ok(out.zstd.bytes > 0 && out.zstd.bytes < 2000, `zstd output of ${out.zstd.bytes} bytes${detail}`);
}

/** The page check: exact counts, no errors, and only the two tables in use downloaded. */
async function checkPage(name, url) {
  const { result, problems, fetched, detail } = await inPage(name, url, 'countOnPage');
  assertCounts(result, 'wasm', detail);
  assert.deepEqual(problems, [], `problems on the page${detail}`);
  // The web module, zstd's (the page compresses) and the two tables in use (webpack names
  // emitted assets by their hash alone, so a file is not always named).
  const files = fetched.filter((u) => /\.wasm(\?|$)/.test(u));
  assert.equal(files.length, 4, `wasm files fetched: ${files.join(', ')}${detail}`);
  // The module without the session log (where a bundler keeps the name; vite build and
  // webpack are checked by their output's bytes).
  assert.deepEqual(files.filter((u) => /\/ironlung\.wasm(\?|$)/.test(u)), [], `the page fetched the module with the log's code${detail}`);
  assert.deepEqual(files.filter((u) => /r50k|p50k/.test(u)), [], `tables of unused encodings were fetched${detail}`);
}

async function checkWorker(name, url) {
  const { result, problems, detail } = await inPage(name, url, 'countInWorker');
  assertCounts(result, 'wasm', detail);
  assert.deepEqual(problems, [], `problems on the page${detail}`);
}

/** The README's worker example answers its first message with the o200k_base count. */
async function checkReadmeWorker(name, url) {
  const page = await browsers[name].open(url, { timeout: PAGE_TIMEOUT });
  try {
    await page.waitFor(() => typeof window.readmeWorker === 'function');
    const n = await withTimeout(page.evaluate((t) => window.readmeWorker(t), TEXTS[0]), PAGE_TIMEOUT, 'the README worker');
    assert.equal(n, EXPECTED.o200k_base[0].length, page.detail());
  } finally {
    await page.close();
  }
}

/** The README's browser example logs the cl100k_base count of the File it is given. */
async function checkReadmePage(name, url) {
  const page = await browsers[name].open(url, { timeout: PAGE_TIMEOUT });
  try {
    await page.waitFor(() => typeof window.readmePage === 'function');
    await withTimeout(page.evaluate((t) => window.readmePage(t), TEXTS[1]), PAGE_TIMEOUT, 'the README page example');
    const want = String(EXPECTED.cl100k_base[1].length);
    // The driver may report the console message just after the call returns.
    for (let i = 0; i < 50 && !page.console.some((m) => m.text === want); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(page.console.some((m) => m.text === want), `console: ${page.console.map((m) => m.text).join(' | ')}${page.detail()}`);
    // It counts and decodes text: zstd's module is not downloaded (Vite keeps the name).
    const zstd = (await page.resources()).filter((u) => /ironlung-zstd/.test(u));
    assert.deepEqual(zstd, [], `the README page fetched zstd's module${page.detail()}`);
  } finally {
    await page.close();
  }
}

const since = (t0) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

describe('Vite', () => {
  let dir;
  before(async () => {
    dir = await project('vite');
  });

  describe('dev server (`vite`)', () => {
    let server;
    before(async () => {
      server = await startServer('npm', ['run', 'dev', '--', '--host', '127.0.0.1', '--port', '0'], { cwd: dir });
    });
    after(async () => {
      await server?.stop();
    });
    for (const b of BROWSERS) {
      test(`vite dev, ${label(b)}: a page imports ironlung, counts exactly, round-trips zstd`, async () => {
        await checkPage(b, server.url);
      });
      test(`vite dev, ${label(b)}: a module Worker (new URL(..., import.meta.url)) imports ironlung and counts`, async () => {
        await checkWorker(b, server.url);
      });
      test(`vite dev, ${label(b)}: the README's Web Worker example answers its first message`, async () => {
        await checkReadmeWorker(b, server.url);
      });
      test(`vite dev, ${label(b)}: the README's browser example counts a File`, async () => {
        await checkReadmePage(b, server.url);
      });
    }
  });

  describe('production build (`vite build`, served by `vite preview`)', () => {
    let server;
    after(async () => {
      await server?.stop();
    });
    const need = () => assert.ok(server, 'vite build or vite preview failed (see the first test)');
    test('vite build + preview: `vite build` emits the wasm module and `vite preview` serves the app', async (t) => {
      const t0 = performance.now();
      const out = await run('npm', ['run', 'build'], { cwd: dir });
      t.diagnostic(`vite build took ${since(t0)}`);
      assert.match(out, /ironlung[-\w]*\.wasm/, `vite build emitted no wasm module:\n${out}`);
      server = await startServer('npm', ['run', 'preview', '--', '--host', '127.0.0.1', '--port', '0'], { cwd: dir });
    });
    test('vite build: the page and its Workers carry no session log code', () => {
      need();
      assertNoLogCodeIn(jsFiles(join(dir, 'dist')), 'vite build output');
      assertWebModuleIn(join(dir, 'dist'), dir, 'vite build output');
    });
    for (const b of BROWSERS) {
      test(`vite build + preview, ${label(b)}: the page counts exactly, round-trips zstd`, async () => {
        need();
        await checkPage(b, server.url);
      });
      test(`vite build + preview, ${label(b)}: a module Worker imports ironlung and counts`, async () => {
        need();
        await checkWorker(b, server.url);
      });
      test(`vite build + preview, ${label(b)}: the README's Web Worker example answers its first message`, async () => {
        need();
        await checkReadmeWorker(b, server.url);
      });
      test(`vite build + preview, ${label(b)}: the README's browser example counts a File`, async () => {
        need();
        await checkReadmePage(b, server.url);
      });
    }
  });
});

describe('esbuild', () => {
  let dir;
  let server;
  before(async () => {
    dir = await project('esbuild');
    server = await serveStatic(dir);
  });
  after(async () => {
    await server?.stop();
  });
  for (const [format, script, html, outdir] of [
    ['--format=esm', 'build:esm', 'esm.html', 'dist/esm'],
    ['default iife', 'build:iife', 'iife.html', 'dist/iife'],
  ]) {
    let built = false;
    test(`esbuild --platform=browser, ${format} (+ copying the assets beside the bundle): builds`, async (t) => {
      const t0 = performance.now();
      await run('npm', ['run', script], { cwd: dir });
      t.diagnostic(`build took ${since(t0)}`);
      built = true;
    });
    test(`esbuild --platform=browser, ${format}: no session log code, and only the web module`, () => {
      assert.ok(built, `npm run ${script} failed (see the test before)`);
      assertNoLogCodeIn(jsFiles(join(dir, outdir)), `esbuild's ${outdir}`);
      assertWebModuleIn(join(dir, outdir), dir, `esbuild's ${outdir}`);
    });
    for (const b of BROWSERS) {
      test(`esbuild --platform=browser, ${format}, ${label(b)}: the page counts exactly, round-trips zstd`, async () => {
        assert.ok(built, `npm run ${script} failed (see the test before)`);
        await checkPage(b, `${server.url}${html}`);
      });
    }
  }
  test('esbuild --platform=node bundle, run with Node (default backend and IRONLUNG_BACKEND=wasm)', async (t) => {
    const t0 = performance.now();
    await run('npm', ['run', 'build:node'], { cwd: dir });
    t.diagnostic(`build took ${since(t0)}`);
    // The bundle must pick the backend the unbundled package picks in the same project.
    const plain = (await run(process.execPath, ['--input-type=module', '-e', "import('ironlung').then((m) => console.log(m.backend))"], { cwd: dir })).trim();
    t.diagnostic(`unbundled backend: ${plain}`);
    const bundled = JSON.parse(await run(process.execPath, ['dist/cli.cjs', JSON.stringify(TEXTS)], { cwd: dir, timeout: 60_000 }));
    assertCounts(bundled, plain);
    const wasm = JSON.parse(
      await run(process.execPath, ['dist/cli.cjs', JSON.stringify(TEXTS)], { cwd: dir, env: { ...TOOL_ENV, IRONLUNG_BACKEND: 'wasm' }, timeout: 60_000 }),
    );
    assertCounts(wasm, 'wasm');
  });
});

describe('webpack 5', () => {
  let dir;
  let server;
  before(async () => {
    dir = await project('webpack');
    server = await serveStatic(dir);
  });
  after(async () => {
    await server?.stop();
  });
  let built = false;
  test('webpack (zero config, target web): builds, emitting the wasm module', async (t) => {
    const t0 = performance.now();
    const out = await run('npm', ['run', 'build'], { cwd: dir });
    t.diagnostic(`webpack took ${since(t0)}`);
    assert.match(out, /\.wasm/, `webpack emitted no wasm module:\n${out}`);
    built = true;
  });
  test('webpack (zero config, target web): the page and its Worker carry no session log code', () => {
    assert.ok(built, 'webpack failed (see the test before)');
    assertNoLogCodeIn(jsFiles(join(dir, 'dist')), 'webpack output');
    assertWebModuleIn(join(dir, 'dist'), dir, 'webpack output');
  });
  for (const b of BROWSERS) {
    test(`webpack (zero config, target web), ${label(b)}: the page and a module Worker count exactly`, async () => {
      assert.ok(built, 'webpack failed (see the test before)');
      await checkPage(b, `${server.url}index.html`);
      await checkWorker(b, `${server.url}index.html`);
    });
  }
});
