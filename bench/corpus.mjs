// Builds the benchmark corpora from real text that Debian packages install, deterministically.
//
//   node bench/corpus.mjs [--force]      (run.mjs calls ensureCorpora() itself)
//
// Output, in IRONLUNG_CORPUS_DIR (default bench/.corpus, git-ignored):
//   english.txt, code.txt, multilingual.txt   CORPUS_BYTES each (cut on a character boundary)
//   <name>.warm.txt                           the next WARM_BYTES of the same stream: warm-up
//                                             text that is not part of the measured corpus
//   english-nows.txt                          NOWS_BYTES of the English stream with every
//                                             whitespace character removed (worst case)
//   manifest.json                             sources, package versions, sizes, sha256
//
// Every source is a Debian package; a missing one is installed with apt-get (quietly). Each
// source is cut into ~4 KB blocks at paragraph boundaries and the blocks of all sources of a
// corpus are interleaved by weight, so every contiguous slice of a corpus (each of the five
// rounds, or the --quick prefix) has about the same mix of sources.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS_DIR = path.resolve(process.env.IRONLUNG_CORPUS_DIR || path.join(here, '.corpus'));
export const CORPUS_BYTES = 1 << 20; // 1 MiB
export const WARM_BYTES = 64 << 10;
export const NOWS_BYTES = 1_000_000;
export const CORPORA = ['english', 'code', 'multilingual'];
// Bump when the selection or the cleaning changes, so stale corpora get rebuilt.
const GENERATOR_VERSION = 3;
const BLOCK_BYTES = 4096;

// ---------------------------------------------------------------------------------------
// Debian packages

export function dpkgFiles(pkg) {
  const r = spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : null;
}

export function dpkgVersion(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

let aptUpdated = false;
/** Installs the packages that are not installed, quietly; prints apt's output only on failure. */
export function ensurePackages(pkgs, log) {
  const missing = pkgs.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
  if (missing.length === 0) return;
  log(`corpus: installing Debian packages ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { encoding: 'utf8', env });
  let r = install();
  if (r.status !== 0 && !aptUpdated) {
    aptUpdated = true;
    spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env });
    r = install();
  }
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`corpus: apt-get install ${missing.join(' ')} failed (are you root, with the Debian mirrors reachable?)`);
  }
}

// ---------------------------------------------------------------------------------------
// Text extraction

/** Deterministic "shuffle": order paths by the sha256 of their name, for a broad sample. */
export function hashOrder(paths) {
  const key = (p) => createHash('sha256').update(p).digest('hex');
  return paths.map((p) => [key(p), p]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
}

export function readMaybeGz(file) {
  const b = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(b) : b).toString('utf8');
}

/** A GNU info manual as prose: node headers, menus, index and license nodes removed. */
export function infoText(files) {
  const raw = files.map(readMaybeGz).join('\n');
  const out = [];
  for (const seg of raw.split('\x1f\n')) {
    if (!seg.startsWith('File: ')) continue; // preamble, tag table, local variables
    const nl = seg.indexOf('\n');
    const node = /Node: ([^,]*)/.exec(seg.slice(0, nl))?.[1] ?? '';
    if (/index|copying|free documentation license|gnu general public license/i.test(node)) continue;
    const lines = seg
      .slice(nl + 1)
      .split('\n')
      .filter((l) => !/^[*=\-.]{3,}$/.test(l) && !/^\* Menu:/.test(l) && !/^\* [^:]+::?/.test(l));
    out.push(lines.join('\n'));
  }
  return out.join('\n\n');
}

/** A man page rendered by man-db (groff -Tutf8), as plain text. */
function manText(file) {
  const r = spawnSync('man', ['--nj', '--nh', '-E', 'UTF-8', '-l', file], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C.UTF-8', MANWIDTH: '80', MAN_KEEP_FORMATTING: '', MANROFFSEQ: '' },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0 || !r.stdout) return '';
  let lines = r.stdout.replace(/.\x08/gu, '').split('\n').map((l) => l.trimEnd());
  while (lines.length && !lines[0]) lines.shift();
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  lines = lines.slice(1, -1); // the running header and footer
  return lines.map((l) => l.replace(/^ {1,7}/, '')).join('\n');
}

/** The translated strings (msgstr) of a gettext .mo catalogue, header entry excluded. */
function moText(file) {
  const b = fs.readFileSync(file);
  const le = b.readUInt32LE(0) === 0x950412de;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const n = u32(8);
  const orig = u32(12);
  const trans = u32(16);
  const out = [];
  for (let i = 0; i < n; i++) {
    if (u32(orig + 8 * i) === 0) continue; // the header entry
    const len = u32(trans + 8 * i);
    const off = u32(trans + 8 * i + 4);
    for (const s of b.subarray(off, off + len).toString('utf8').split('\0')) {
      const t = s.replace(/_(?=\p{L})/gu, '').trim(); // drop GTK mnemonic underscores
      if (t) out.push(t);
    }
  }
  return out.join('\n\n');
}

/** Splits a document into blocks of about BLOCK_BYTES at blank lines. */
export function* blocks(text) {
  const paras = text.replace(/\r\n?/g, '\n').replace(/\n{3,}/g, '\n\n').split(/\n\n/);
  let cur = [];
  let size = 0;
  for (const p of paras) {
    if (!p.trim()) continue;
    cur.push(p);
    size += Buffer.byteLength(p) + 2;
    if (size >= BLOCK_BYTES) {
      yield cur.join('\n\n');
      cur = [];
      size = 0;
    }
  }
  if (cur.length) yield cur.join('\n\n');
}

// ---------------------------------------------------------------------------------------
// Sources. Each: { id, packages, describe, weight, docs(): generator of document strings }.

export const INFO = [
  ['coreutils', ['coreutils.info.gz']],
  ['grep', ['grep.info.gz']],
  ['sed', ['sed.info.gz']],
  ['findutils', ['find.info-1.gz', 'find.info-2.gz']],
  ['diffutils', ['diffutils.info.gz']],
  ['gzip', ['gzip.info.gz']],
  ['wget', ['wget.info.gz']],
  ['ed', ['ed.info.gz']],
  ['time', ['time.info.gz']],
  ['bc', ['bc.info.gz']],
  ['readline-common', ['rluserman.info.gz']],
  ['gettext', ['gettext.info.gz']],
];

function infoSource([pkg, files]) {
  return {
    id: `info:${pkg}`,
    packages: [pkg],
    describe: `GNU info manual ${files.join(' + ')} (Debian package \`${pkg}\`), node headers, menus, index and license nodes removed`,
    weight: 1,
    *docs() {
      yield infoText(files.map((f) => path.join('/usr/share/info', f)));
    },
  };
}

function manSource(pkg, lang, weight, label) {
  return {
    id: `man:${pkg}:${lang}`,
    packages: [pkg, 'man-db', 'groff-base'],
    describe: `${label}: man pages from Debian package \`${pkg}\` (/usr/share/man/${lang}), rendered with \`man -l\` (groff -Tutf8), pages in sha256-of-path order`,
    weight,
    *docs() {
      const pages = (dpkgFiles(pkg) || []).filter((f) => f.startsWith(`/usr/share/man/${lang}/man`) && /\.\d\w*(\.gz)?$/.test(f));
      for (const f of hashOrder(pages)) {
        if (fs.lstatSync(f).isSymbolicLink()) continue; // aliases of pages already listed
        const t = manText(f);
        if (Buffer.byteLength(t) > 300) yield t;
      }
    },
  };
}

function moSource(lang, label, catalogues, weight) {
  return {
    id: `mo:${lang}`,
    packages: [...new Set(catalogues.map((c) => c[0]))],
    describe: `${label}: translated messages (msgstr) of ${catalogues.map(([p, d]) => `\`${d}.mo\` (\`${p}\`)`).join(', ')} in /usr/share/locale/${lang}/LC_MESSAGES`,
    weight,
    *docs() {
      for (const [, domain] of catalogues) {
        const f = `/usr/share/locale/${lang}/LC_MESSAGES/${domain}.mo`;
        if (fs.existsSync(f)) yield moText(f);
      }
    },
  };
}

function codeSource(id, pkgFn, filter, describe, weight) {
  return {
    id,
    get packages() {
      return [pkgFn()];
    },
    get describe() {
      return describe(pkgFn());
    },
    weight,
    *docs() {
      const files = (dpkgFiles(pkgFn()) || []).filter(filter);
      for (const f of hashOrder(files)) {
        if (!fs.statSync(f).isFile()) continue;
        yield fs.readFileSync(f, 'utf8');
      }
    },
  };
}

export function pythonStdlibPackage() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', 'libpython3.*-stdlib'], { encoding: 'utf8' });
  const installed = (r.stdout || '')
    .split('\n')
    .filter((l) => l.includes('install ok installed'))
    .map((l) => l.split(' ')[0].replace(/:.*/, ''))
    .sort();
  return installed[installed.length - 1] || 'libpython3-stdlib';
}

export function rustSrcPackage() {
  return dpkgVersion('rust-web-src') || !dpkgVersion('rust-src') ? 'rust-web-src' : 'rust-src';
}

export const SOURCES = {
  english: INFO.map(infoSource),
  code: [
    codeSource(
      'rust-std',
      rustSrcPackage,
      (f) => /\/library\/(core|alloc|std)\/src\/.*\.rs$/.test(f),
      (p) => `Rust standard library source (library/{core,alloc,std}/src/**/*.rs) from Debian package \`${p}\``,
      0.6,
    ),
    codeSource(
      'c-headers',
      () => 'libc6-dev',
      (f) => f.startsWith('/usr/include/') && f.endsWith('.h'),
      (p) => `C headers (/usr/include/**/*.h) from Debian package \`${p}\` (glibc)`,
      0.2,
    ),
    codeSource(
      'python-stdlib',
      pythonStdlibPackage,
      (f) => /^\/usr\/lib\/python3\.\d+\/.*\.py$/.test(f) && !/\/test\//.test(f),
      (p) => `Python standard library (/usr/lib/python3.*/**/*.py, tests excluded) from Debian package \`${p}\``,
      0.2,
    ),
  ],
  multilingual: [
    manSource('manpages-zh', 'zh_CN', 0.3, 'Chinese (Simplified)'),
    manSource('manpages-ja', 'ja', 0.25, 'Japanese'),
    moSource('ko', 'Korean', [['coreutils', 'coreutils']], 0.12),
    manSource('manpages-ru', 'ru', 0.13, 'Russian'),
    moSource('ar', 'Arabic', [['libgtk-3-common', 'gtk30-properties'], ['libgtk-3-common', 'gtk30'], ['libglib2.0-data', 'glib20']], 0.1),
    moSource('hi', 'Hindi', [['libgtk-3-common', 'gtk30-properties'], ['libgtk-3-common', 'gtk30'], ['libglib2.0-data', 'glib20']], 0.1),
  ],
};

// ---------------------------------------------------------------------------------------
// Building

/** The largest index <= n that starts a UTF-8 character. */
export function charBoundary(buf, n) {
  if (n >= buf.length) return buf.length;
  while (n > 0 && (buf[n] & 0xc0) === 0x80) n--;
  return n;
}

/** Interleaves the sources' blocks by weight until `bytes` bytes are out (or all run dry). */
function interleave(sources, bytes) {
  const state = sources.map((s) => ({ s, emitted: 0, docs: s.docs(), cur: null, done: false }));
  const nextBlock = (st) => {
    for (;;) {
      if (st.cur) {
        const r = st.cur.next();
        if (!r.done) return r.value;
      }
      const d = st.docs.next();
      if (d.done) return null;
      st.cur = blocks(d.value);
    }
  };
  const parts = [];
  const order = [];
  let total = 0;
  while (total < bytes) {
    const live = state.filter((st) => !st.done);
    if (live.length === 0) break;
    const st = live.reduce((a, b) => (b.emitted / b.s.weight < a.emitted / a.s.weight ? b : a));
    const block = nextBlock(st);
    if (block === null) {
      st.done = true;
      continue;
    }
    const n = Buffer.byteLength(block) + 2;
    st.emitted += n;
    total += n;
    parts.push(block);
    order.push([st.s.id, n]);
  }
  /** Bytes each source contributes to the first `limit` bytes of the stream. */
  const shareOf = (limit) => {
    const share = Object.fromEntries(sources.map((s) => [s.id, 0]));
    let at = 0;
    for (const [id, n] of order) {
      if (at >= limit) break;
      share[id] += Math.min(n, limit - at);
      at += n;
    }
    return share;
  };
  return { text: parts.join('\n\n') + '\n', shareOf };
}

export function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

function manifestPath() {
  return path.join(CORPUS_DIR, 'manifest.json');
}

/** The manifest of up-to-date corpora, or null if they must be (re)built. */
export function readManifest() {
  try {
    const m = JSON.parse(fs.readFileSync(manifestPath(), 'utf8'));
    if (m.generatorVersion !== GENERATOR_VERSION) return null;
    for (const f of Object.values(m.files)) {
      if (!fs.existsSync(path.join(CORPUS_DIR, f.name)) || fs.statSync(path.join(CORPUS_DIR, f.name)).size !== f.bytes) return null;
    }
    return m;
  } catch {
    return null;
  }
}

/** Builds the corpora if they are missing or stale; returns the manifest. */
export function ensureCorpora({ force = false, log = (s) => process.stderr.write(s + '\n') } = {}) {
  if (!force) {
    const m = readManifest();
    if (m) return m;
  }
  log(`corpus: building corpora in ${path.relative(process.cwd(), CORPUS_DIR) || CORPUS_DIR} (once)`);
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  const files = {};
  const sources = {};
  const packages = new Set();
  for (const name of CORPORA) {
    const srcs = SOURCES[name];
    const pkgs = [...new Set(srcs.flatMap((s) => s.packages))];
    ensurePackages(pkgs, log);
    pkgs.forEach((p) => packages.add(p));
    const want = CORPUS_BYTES + WARM_BYTES + 16 * BLOCK_BYTES + (name === 'english' ? NOWS_BYTES : 0);
    const { text, shareOf } = interleave(srcs, want);
    const buf = Buffer.from(text, 'utf8');
    if (buf.length < CORPUS_BYTES + WARM_BYTES) throw new Error(`corpus: only ${buf.length} bytes of ${name} text found`);
    const cut = charBoundary(buf, CORPUS_BYTES);
    const warmEnd = charBoundary(buf, cut + WARM_BYTES);
    const write = (key, fname, b) => {
      fs.writeFileSync(path.join(CORPUS_DIR, fname), b);
      files[key] = { name: fname, bytes: b.length, sha256: sha256(b) };
    };
    write(name, `${name}.txt`, buf.subarray(0, cut));
    write(`${name}.warm`, `${name}.warm.txt`, buf.subarray(cut, warmEnd));
    if (name === 'english') {
      const nows = Buffer.from(text.replace(/\s+/gu, ''), 'utf8');
      if (nows.length < NOWS_BYTES) throw new Error('corpus: not enough English text for the no-whitespace case');
      write('english-nows', 'english-nows.txt', nows.subarray(0, charBoundary(nows, NOWS_BYTES)));
    }
    const share = shareOf(cut);
    for (const s of srcs) if (!share[s.id]) throw new Error(`corpus: source ${s.id} gave no text`);
    sources[name] = srcs.map((s) => ({ id: s.id, describe: s.describe, weight: s.weight, bytesInCorpus: share[s.id] }));
  }
  const manifest = {
    generatorVersion: GENERATOR_VERSION,
    created: new Date().toISOString(),
    files,
    sources,
    packages: Object.fromEntries([...packages].sort().map((p) => [p, dpkgVersion(p)])),
  };
  fs.writeFileSync(manifestPath(), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = ensureCorpora({ force: process.argv.includes('--force') });
  for (const [k, f] of Object.entries(m.files)) console.log(`${k.padEnd(18)} ${String(f.bytes).padStart(8)} bytes  ${f.sha256.slice(0, 16)}`);
}
