// Builds the zstd and session log benchmarks' data: an agent transcript (JSONL, one chat
// message a line) of tool calls and their outputs, made deterministically from real text that
// Debian packages install, as bench/corpus.mjs makes the tokenizer corpora.
//
//   node bench/agentdata.mjs [--force]                (bench/zstd.mjs calls ensureAgentData())
//   node bench/agentdata.mjs --log-events [--force]   (bench/log.mjs calls ensureLogEvents())
//
// Output, in bench/.corpus (git-ignored):
//   agent.jsonl           AGENT_BYTES (10 MB, cut at a line end): the measured transcript
//   agent.heldout.jsonl   the next HELDOUT_BYTES of the same session, from source text the
//                         measured part does not contain: what a dictionary is trained on
//   agent.manifest.json   sources, package versions, sizes, sha256, the mix of message kinds
//   agent-events.jsonl    the session log benchmark's workload: the same session (same seed,
//                         so it starts as agent.jsonl does), LOG_EVENTS (10^5) events in
//                         codex-rs rollout envelopes, 100 B - 20 KB each (see sessionEvents)
//   agent-events.manifest.json
//
// The session: a user asks (English prose), the assistant answers with a sentence or two of
// prose and one tool call (OpenAI chat format: `tool_calls[].function.arguments` is a JSON
// string), and a `tool` message carries the output:
//   read_file {path}                 -> source code (Rust std, glibc headers, Python stdlib)
//   run_command "grep -rn WORD DIR"  -> real grep output over the files around the last one read
//   run_command "find DIR -name ..." -> the real file list of a Debian package
//   run_command "zcat .../changelog.Debian.gz | head -n N" -> a Debian changelog (a log)
//   search_docs {query}              -> a section of a GNU info manual (prose)
// recordsOf() splits the same transcript into records of 200 B - 2 KB (a long message into
// parts, short messages merged), the small-record case.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_DIR, INFO, blocks, dpkgFiles, dpkgVersion, ensurePackages, hashOrder, infoText, pythonStdlibPackage, readMaybeGz, rustSrcPackage, sha256 } from './corpus.mjs';

export const AGENT_BYTES = 10_000_000;
export const HELDOUT_BYTES = 4_000_000;
const VERSION = 1;
export const RECORD_MIN = 200;
export const RECORD_MAX = 2048;

// Debian changelogs, the "log" outputs: packages the machine has for the corpora (or ubiquitous).
const CHANGELOG_PKGS = ['coreutils', 'grep', 'sed', 'findutils', 'diffutils', 'gzip', 'wget', 'ed', 'time', 'bc', 'gettext', 'libc6-dev', 'man-db', 'groff-base', 'zstd', 'bash', 'tar', 'git', 'make', 'binutils', 'curl', 'openssl', 'python3', 'perl'];

/** mulberry32: a small deterministic PRNG. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An endless-until-exhausted stream of items, restartable from the start when asked. */
function cycle(makeGen) {
  let g = makeGen();
  let laps = 0;
  return {
    next() {
      for (let i = 0; i < 2; i++) {
        const r = g.next();
        if (!r.done) return r.value;
        g = makeGen();
        laps++;
      }
      throw new Error('agentdata: a source is empty');
    },
    get laps() {
      return laps;
    },
  };
}

function codeFiles() {
  const rust = rustSrcPackage();
  const py = pythonStdlibPackage();
  const pick = (pkg, re) => hashOrder((dpkgFiles(pkg) || []).filter((f) => re.test(f) && fs.existsSync(f) && fs.statSync(f).isFile()));
  return {
    packages: [rust, 'libc6-dev', py],
    lists: [
      { pkg: rust, weight: 0.55, files: pick(rust, /\/library\/(core|alloc|std)\/src\/.*\.rs$/) },
      { pkg: 'libc6-dev', weight: 0.2, files: pick('libc6-dev', /^\/usr\/include\/.*\.h$/) },
      { pkg: py, weight: 0.25, files: pick(py, /^\/usr\/lib\/python3\.\d+\/.*\.py$/).filter((f) => !/\/test\//.test(f)) },
    ],
  };
}

/**
 * Builds the whole session text (measured + held-out) as JSONL lines, and the mix: until it
 * holds `totalBytes` bytes or `maxLines` lines.
 */
function buildSession(totalBytes, maxLines = Infinity) {
  const rand = rng(0x15);
  const choose = (xs) => xs[Math.floor(rand() * xs.length)];
  const { packages: codePkgs, lists } = codeFiles();
  // Each code list is read file by file, in sha256-of-path order; a file is read once.
  const codeCursor = lists.map(() => 0);
  const nextCodeFile = () => {
    const tot = lists.reduce((s, l) => s + l.weight, 0);
    let x = rand() * tot;
    let i = 0;
    while (x > lists[i].weight && i < lists.length - 1) x -= lists[i++].weight;
    const l = lists[i];
    const f = l.files[codeCursor[i]++ % l.files.length];
    return { file: f, list: l, idx: codeCursor[i] - 1 };
  };
  // Prose: paragraphs of the GNU info manuals, in order, manual after manual.
  const prose = cycle(function* () {
    for (const [pkg, files] of INFO) {
      const text = infoText(files.map((f) => path.join('/usr/share/info', f)));
      for (const b of blocks(text)) for (const p of b.split('\n\n')) if (p.trim().length > 40) yield { pkg, text: p.trim() };
    }
  });
  // Documentation sections: the same manuals, in blocks of ~4 KB, from the end backwards so the
  // "search_docs" outputs are mostly other text than the assistant's prose.
  const docs = cycle(function* () {
    for (const [pkg, files] of [...INFO].reverse()) {
      const text = infoText(files.map((f) => path.join('/usr/share/info', f)));
      for (const b of [...blocks(text)].reverse()) yield { pkg, text: b };
    }
  });
  const changelogs = CHANGELOG_PKGS.map((p) => `/usr/share/doc/${p}/changelog.Debian.gz`).filter((f) => fs.existsSync(f));
  const changelogCursor = changelogs.map(() => 0);
  const installedPkgs = CHANGELOG_PKGS.filter((p) => dpkgVersion(p));
  const findable = hashOrder(installedPkgs);

  const lines = [];
  let bytes = 0;
  let callNo = 0;
  const mix = {};
  const push = (obj, kind) => {
    const line = JSON.stringify(obj);
    lines.push(line);
    const n = Buffer.byteLength(line) + 1;
    bytes += n;
    mix[kind] = (mix[kind] || 0) + n;
  };
  const sentence = (max) => {
    let t = prose.next().text.replace(/\s+/g, ' ');
    if (t.length > max) {
      const cut = t.lastIndexOf('. ', max);
      t = cut > 40 ? t.slice(0, cut + 1) : t.slice(0, max);
    }
    return t;
  };
  let lastRead = null;
  let turn = 0;
  push({ role: 'system', content: 'You are a coding agent working in a Debian container. Use the tools to read files, run commands and search the documentation. Be concise.' }, 'prose');
  while (bytes < totalBytes && lines.length < maxLines) {
    if (turn % 6 === 0) push({ role: 'user', content: sentence(400) }, 'prose');
    turn++;
    const r = rand();
    let name;
    let args;
    let output;
    let kind;
    if (r < 0.48 || !lastRead) {
      const { file, list, idx } = nextCodeFile();
      let text = fs.readFileSync(file, 'utf8');
      // A long file is read in a window, as agents' read tools do (offset, limit in lines).
      const all = text.split('\n');
      let offset = 0;
      let limit = all.length;
      if (Buffer.byteLength(text) > 24_000) {
        limit = 200 + Math.floor(rand() * 200);
        offset = Math.floor(rand() * Math.max(1, all.length - limit));
        text = all.slice(offset, offset + limit).join('\n');
      }
      name = 'read_file';
      args = offset || limit < all.length ? { path: file, offset: offset + 1, limit } : { path: file };
      output = text;
      kind = 'code';
      lastRead = { file, list, idx, text };
    } else if (r < 0.64) {
      // grep for an identifier of the last file read, over that file and the next 24 of its list
      const ids = [...new Set(lastRead.text.match(/\b[A-Za-z_][A-Za-z0-9_]{5,}\b/g) || ['return'])];
      const word = choose(ids);
      const dir = path.dirname(lastRead.file);
      const hits = [];
      for (let k = 0; k < 25 && hits.length < 60; k++) {
        const f = lastRead.list.files[(lastRead.idx + k) % lastRead.list.files.length];
        const fl = fs.readFileSync(f, 'utf8').split('\n');
        for (let i = 0; i < fl.length && hits.length < 60; i++) if (fl[i].includes(word)) hits.push(`${f}:${i + 1}:${fl[i]}`);
      }
      name = 'run_command';
      args = { command: `grep -rn '${word}' ${path.dirname(dir)}`, timeout_ms: 30000 };
      output = hits.join('\n') + '\n' + (hits.length >= 60 ? '[output truncated after 60 matches]\n' : '') + `exit code: ${hits.length ? 0 : 1}`;
      kind = 'log';
    } else if (r < 0.72) {
      const pkg = findable[turn % findable.length];
      const files = (dpkgFiles(pkg) || []).filter((f) => f.startsWith('/usr/'));
      const start = Math.floor(rand() * Math.max(1, files.length - 120));
      name = 'run_command';
      args = { command: `dpkg -L ${pkg} | head -n ${start + 120} | tail -n 120` };
      output = files.slice(start, start + 120).join('\n') + '\nexit code: 0';
      kind = 'log';
    } else if (r < 0.86) {
      const i = Math.floor(rand() * changelogs.length);
      const all = readMaybeGz(changelogs[i]).split('\n');
      const n = 40 + Math.floor(rand() * 120);
      const from = changelogCursor[i] % Math.max(1, all.length - n);
      changelogCursor[i] += n;
      name = 'run_command';
      args = { command: `zcat ${changelogs[i]} | sed -n '${from + 1},${from + n}p'` };
      output = all.slice(from, from + n).join('\n') + '\nexit code: 0';
      kind = 'log';
    } else {
      const d = docs.next();
      const q = (d.text.match(/\b[a-z]{4,}\b/g) || ['usage']).slice(0, 3).join(' ');
      name = 'search_docs';
      args = { query: q, manual: d.pkg };
      output = d.text;
      kind = 'prose';
    }
    const id = `call_${(++callNo).toString(36).padStart(6, '0')}${Math.floor(rand() * 36 ** 4).toString(36).padStart(4, '0')}`;
    push({ role: 'assistant', content: sentence(300), tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }] }, 'prose');
    push({ role: 'tool', tool_call_id: id, name, content: output }, kind);
  }
  const codeLaps = Math.max(...lists.map((l, i) => Math.floor(codeCursor[i] / Math.max(1, l.files.length))));
  return { lines, mix, codePkgs, changelogs, proseLaps: prose.laps, docsLaps: docs.laps, codeLaps };
}

export function agentFiles() {
  return { transcript: path.join(CORPUS_DIR, 'agent.jsonl'), heldout: path.join(CORPUS_DIR, 'agent.heldout.jsonl'), manifest: path.join(CORPUS_DIR, 'agent.manifest.json') };
}

/** Builds the transcript if missing or stale; returns its manifest. */
export function ensureAgentData({ force = false, log = (s) => process.stderr.write(s + '\n') } = {}) {
  const F = agentFiles();
  if (!force) {
    try {
      const m = JSON.parse(fs.readFileSync(F.manifest, 'utf8'));
      if (m.version === VERSION && fs.statSync(F.transcript).size === m.transcript.bytes && fs.statSync(F.heldout).size === m.heldout.bytes) return m;
    } catch {}
  }
  log('agentdata: building the agent transcript in bench/.corpus (once)');
  ensurePackages([...new Set([...INFO.map((i) => i[0]), 'libc6-dev', rustSrcPackage(), pythonStdlibPackage()])], log);
  const { lines, mix, codePkgs, changelogs, proseLaps, docsLaps } = buildSession(AGENT_BYTES + HELDOUT_BYTES + 200_000);
  // Cut at a line end at or below AGENT_BYTES; the held-out part starts HELDOUT_GAP lines later.
  let n = 0;
  let i = 0;
  while (i < lines.length && n + Buffer.byteLength(lines[i]) + 1 <= AGENT_BYTES) n += Buffer.byteLength(lines[i++]) + 1;
  const transcript = Buffer.from(lines.slice(0, i).join('\n') + '\n');
  let h = 0;
  let j = i;
  while (j < lines.length && h + Buffer.byteLength(lines[j]) + 1 <= HELDOUT_BYTES) h += Buffer.byteLength(lines[j++]) + 1;
  const heldout = Buffer.from(lines.slice(i, j).join('\n') + '\n');
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  fs.writeFileSync(F.transcript, transcript);
  fs.writeFileSync(F.heldout, heldout);
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const m = {
    version: VERSION,
    created: new Date().toISOString(),
    transcript: { name: 'agent.jsonl', bytes: transcript.length, lines: i, sha256: sha256(transcript) },
    heldout: { name: 'agent.heldout.jsonl', bytes: heldout.length, lines: j - i, sha256: sha256(heldout) },
    mix: Object.fromEntries(Object.entries(mix).map(([k, v]) => [k, +(v / total).toFixed(3)])),
    sourcesReused: { proseLaps, docsLaps },
    packages: Object.fromEntries([...new Set([...INFO.map((x) => x[0]), ...codePkgs, ...changelogs.map((c) => c.split('/')[4])])].sort().map((p) => [p, dpkgVersion(p)])),
  };
  fs.writeFileSync(F.manifest, JSON.stringify(m, null, 2) + '\n');
  return m;
}

/**
 * The transcript as records of RECORD_MIN..RECORD_MAX bytes: a message of up to RECORD_MAX
 * bytes is one record; a longer one becomes parts (`{"id":…,"role":…,"part":k,"content":
 * <slice>}`) whose sizes are drawn uniformly from RECORD_MIN..RECORD_MAX (deterministically);
 * messages shorter than RECORD_MIN are merged with the next ones (newline-joined).
 */
export function recordsOf(buf) {
  const rand = rng(0x2002);
  const out = [];
  let pending = '';
  const emit = (s) => {
    const t = pending ? pending + '\n' + s : s;
    if (Buffer.byteLength(t) < RECORD_MIN) pending = t;
    else {
      out.push(Buffer.from(t));
      pending = '';
    }
  };
  for (const line of buf.toString('utf8').split('\n')) {
    if (!line) continue;
    if (Buffer.byteLength(line) <= RECORD_MAX) {
      emit(line);
      continue;
    }
    const m = JSON.parse(line);
    const content = m.content;
    const head = { ...m, content: undefined };
    const key = m.tool_call_id ?? m.role;
    let at = 0;
    let part = 0;
    while (at < content.length) {
      // a part of a size drawn uniformly from RECORD_MIN..RECORD_MAX (less the JSON around it)
      const target = RECORD_MIN + Math.floor(rand() * (RECORD_MAX - RECORD_MIN + 1));
      let len = Math.min(content.length - at, Math.max(64, target - 60));
      let rec;
      for (;;) {
        rec = JSON.stringify({ id: key, role: m.role, part, content: content.slice(at, at + len) });
        if (Buffer.byteLength(rec) <= RECORD_MAX || len <= 64) break;
        len = Math.floor(len * 0.8);
      }
      if (part === 0 && head.tool_calls) rec = JSON.stringify({ ...head, part, content: content.slice(at, at + len) });
      emit(rec);
      at += len;
      part++;
    }
  }
  if (pending) out.push(Buffer.from(pending));
  return out;
}

// -----------------------------------------------------------------------------------------
// The session log benchmark's workload (bench/log.mjs, issue #16): the same session, longer,
// as LOG_EVENTS events of LOG_EVENT_MIN..LOG_EVENT_MAX bytes of JSON each.

export const LOG_EVENTS = 100_000;
export const LOG_EVENT_MIN = 100;
export const LOG_EVENT_MAX = 20_000;
const LOG_EVENTS_VERSION = 1;

export function logEventFiles() {
  return { events: path.join(CORPUS_DIR, 'agent-events.jsonl'), manifest: path.join(CORPUS_DIR, 'agent-events.manifest.json') };
}

/**
 * The session's messages as rollout events, one JSON object a line, as codex-rs writes its
 * rollouts: `{"timestamp":…,"type":"response_item","payload":<chat message>}`. A message
 * whose event would pass LOG_EVENT_MAX bytes is cut into parts (`"part":k` on the envelope,
 * each part's `content` a slice of the message's). Timestamps advance by seeded random steps
 * (a user message 5-60 s after the last event, an assistant message 1-20 s, a tool output
 * 0.05-3 s), from 2026-01-15T09:00:00Z.
 */
function sessionEvents(lines, count) {
  const rand = rng(0x16);
  let t = Date.UTC(2026, 0, 15, 9, 0, 0);
  const out = [];
  for (const line of lines) {
    if (out.length >= count) break;
    const m = JSON.parse(line);
    t += Math.round(m.role === 'user' ? 5000 + rand() * 55000 : m.role === 'tool' ? 50 + rand() * 2950 : m.role === 'assistant' ? 1000 + rand() * 19000 : 0);
    const timestamp = new Date(t).toISOString();
    const whole = JSON.stringify({ timestamp, type: 'response_item', payload: m });
    if (Buffer.byteLength(whole) <= LOG_EVENT_MAX) {
      out.push(whole);
      continue;
    }
    const content = m.content;
    let at = 0;
    let part = 0;
    while (at < content.length && out.length < count) {
      let len = content.length - at;
      let ev;
      for (;;) {
        // never cut a surrogate pair
        if (len < content.length - at && /[\ud800-\udbff]/.test(content[at + len - 1])) len--;
        ev = JSON.stringify({ timestamp, type: 'response_item', part, payload: { ...m, content: content.slice(at, at + len) } });
        if (Buffer.byteLength(ev) <= LOG_EVENT_MAX) break;
        len = Math.floor(len * 0.9);
      }
      out.push(ev);
      at += len;
      part++;
    }
  }
  return out;
}

/** Builds the log benchmark's events if missing or stale; returns their manifest. */
export function ensureLogEvents({ force = false, log = (s) => process.stderr.write(s + '\n') } = {}) {
  const F = logEventFiles();
  if (!force) {
    try {
      const m = JSON.parse(fs.readFileSync(F.manifest, 'utf8'));
      if (m.version === LOG_EVENTS_VERSION && m.events === LOG_EVENTS && fs.statSync(F.events).size === m.bytes) return m;
    } catch {}
  }
  log(`agentdata: building the session log workload (${LOG_EVENTS} events) in bench/.corpus (once, about a minute)`);
  ensurePackages([...new Set([...INFO.map((i) => i[0]), 'libc6-dev', rustSrcPackage(), pythonStdlibPackage()])], log);
  const t0 = Date.now();
  // Every message gives at least one event: LOG_EVENTS messages are enough.
  const { lines, mix, codePkgs, changelogs, proseLaps, docsLaps, codeLaps } = buildSession(Infinity, LOG_EVENTS);
  const events = sessionEvents(lines, LOG_EVENTS);
  if (events.length < LOG_EVENTS) throw new Error(`agentdata: only ${events.length} events`);
  const buf = Buffer.from(events.join('\n') + '\n');
  const sizes = events.map((e) => Buffer.byteLength(e)).sort((a, b) => a - b);
  if (sizes[0] < LOG_EVENT_MIN || sizes[sizes.length - 1] > LOG_EVENT_MAX) throw new Error(`agentdata: event sizes ${sizes[0]}..${sizes[sizes.length - 1]} outside ${LOG_EVENT_MIN}..${LOG_EVENT_MAX}`);
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  fs.writeFileSync(F.events, buf);
  const q = (p) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))];
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const m = {
    version: LOG_EVENTS_VERSION,
    created: new Date().toISOString(),
    buildMs: Date.now() - t0,
    name: 'agent-events.jsonl',
    events: events.length,
    messages: lines.length,
    bytes: buf.length,
    sha256: sha256(buf),
    eventBytes: { min: sizes[0], p10: q(0.1), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sizes[sizes.length - 1], mean: Math.round(buf.length / events.length) },
    mix: Object.fromEntries(Object.entries(mix).map(([k, v]) => [k, +(v / total).toFixed(3)])),
    sourcesReused: { proseLaps, docsLaps, codeLaps },
    packages: Object.fromEntries([...new Set([...INFO.map((x) => x[0]), ...codePkgs, ...changelogs.map((c) => c.split('/')[4])])].sort().map((p) => [p, dpkgVersion(p)])),
  };
  fs.writeFileSync(F.manifest, JSON.stringify(m, null, 2) + '\n');
  return m;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--log-events')) {
    const m = ensureLogEvents({ force: process.argv.includes('--force') });
    console.log(JSON.stringify({ ...m, packages: undefined }, null, 2));
    process.exit(0);
  }
  const m = ensureAgentData({ force: process.argv.includes('--force') });
  console.log(JSON.stringify({ transcript: m.transcript, heldout: m.heldout, mix: m.mix, sourcesReused: m.sourcesReused }, null, 2));
  const recs = recordsOf(fs.readFileSync(agentFiles().transcript));
  const sizes = recs.map((r) => r.length).sort((a, b) => a - b);
  console.log(`records: ${recs.length}, bytes min ${sizes[0]} median ${sizes[sizes.length >> 1]} max ${sizes[sizes.length - 1]}`);
}
