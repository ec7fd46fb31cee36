// The browsers that the browser tests run every case in, behind one small interface, so
// that each engine gets the same page and the same assertions and a report names the engine:
//
// - Chromium (V8): Debian's /usr/bin/chromium, driven by playwright-core over CDP.
// - Firefox ESR (SpiderMonkey): Debian's /usr/bin/firefox-esr, driven by puppeteer-core over
//   WebDriver BiDi. playwright-core drives only its own patched Firefox build, which cannot be
//   downloaded here; puppeteer-core drives stock Firefox.
//
// scripts/setup.sh installs both browsers. Used by __test__/consumer/browser.test.mjs (from
// $IRONLUNG_REPO) and by test/integrations/.
//
// IRONLUNG_BROWSERS: a comma-separated subset to run (default: chromium,firefox).
// CHROMIUM, FIREFOX: the executables (default /usr/bin/chromium, /usr/bin/firefox-esr).
import { createRequire } from 'node:module';

const fromRepo = createRequire(new URL('../package.json', import.meta.url));

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** How often a waitFor polls in Firefox (puppeteer's default, requestAnimationFrame, stalls in a page that paints nothing). */
const POLL_MS = 50;

// What differs between the two drivers; the rest (page.on's events, evaluate, goto) has the
// same shape in both.
const ENGINES = {
  chromium: {
    label: 'Chromium',
    async launch(timeout) {
      const { chromium } = fromRepo('playwright-core');
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout });
      return {
        version: browser.version(),
        newContext: () => browser.newContext(),
        waitFor: (page, fn, arg, timeout) => page.waitForFunction(fn, arg, { timeout }),
        close: () => browser.close(),
      };
    },
  },
  firefox: {
    label: 'Firefox',
    async launch(timeout) {
      const puppeteer = fromRepo('puppeteer-core');
      const browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
        headless: true,
        timeout,
      });
      return {
        version: (await browser.version()).replace(/^firefox\//, ''),
        newContext: () => browser.createBrowserContext(),
        waitFor: (page, fn, arg, timeout) => page.waitForFunction(fn, { timeout, polling: POLL_MS }, arg),
        close: () => browser.close(),
      };
    },
  },
};

/** The engines to run, in order: IRONLUNG_BROWSERS or both. */
export const BROWSERS = (process.env.IRONLUNG_BROWSERS || 'chromium,firefox')
  .split(',')
  .map((s) => s.trim().toLowerCase())
  .filter(Boolean);
for (const name of BROWSERS) {
  if (!ENGINES[name]) throw new Error(`IRONLUNG_BROWSERS names '${name}': expected ${Object.keys(ENGINES).join(' and/or ')}`);
}

/** The name a report uses for an engine ('Chromium', 'Firefox'). */
export const label = (name) => ENGINES[name].label;

/** True for the error of an evaluate() whose page navigated under it (either driver). */
export const navigatedDuringCall = (e) => /Execution context was destroyed|Realm already destroyed/i.test(String(e && e.message));

/**
 * A launched browser. `open(url)` loads `url` in a fresh context (its own cookies and cache)
 * and collects what goes wrong there: `problems` (page errors, failed requests, HTTP errors)
 * and `console` ({ type, text } each).
 */
export async function launch(name, { timeout = 60_000 } = {}) {
  const engine = ENGINES[name];
  if (!engine) throw new Error(`no browser '${name}'`);
  const b = await engine.launch(timeout);
  return {
    name,
    label: engine.label,
    version: b.version,
    async open(url, { timeout: pageTimeout = 60_000 } = {}) {
      const context = await b.newContext();
      const p = await context.newPage();
      const problems = [];
      const messages = [];
      p.on('pageerror', (e) => problems.push(`page error: ${(e && e.stack) || e}`));
      p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
      // The browser's own /favicon.ico request is not the page's doing: puppeteer reports
      // Firefox's, playwright does not report Chromium's.
      p.on('response', (r) => r.status() >= 400 && !/^https?:\/\/[^/]+\/favicon\.ico$/.test(r.url()) && problems.push(`HTTP ${r.status()}: ${r.url()}`));
      p.on('console', (m) => messages.push({ type: m.type(), text: m.text() }));
      const page = {
        problems,
        console: messages,
        /** The page's problems and console, as lines for an assertion's message. */
        detail: () => `\n[${engine.label}]\n${problems.join('\n')}\n${messages.map((m) => `console.${m.type}: ${m.text}`).join('\n')}`,
        /** Runs `fn(arg)` in the page; resolves with its (awaited) result. */
        evaluate: (fn, arg) => p.evaluate(fn, arg),
        /** Waits until `fn(arg)` in the page is truthy (polling again after a navigation). */
        waitFor: (fn, arg, { timeout = pageTimeout } = {}) => b.waitFor(p, fn, arg, timeout).then(() => undefined),
        /** Every resource the page fetched, by URL (its Resource Timing entries). */
        resources: () => p.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name)),
        close: () => context.close(),
      };
      try {
        await p.goto(url, { timeout: pageTimeout });
      } catch (e) {
        await page.close().catch(() => {});
        throw new Error(`${engine.label}: loading ${url}: ${e.message}${page.detail()}`);
      }
      return page;
    },
    close: () => b.close(),
  };
}
