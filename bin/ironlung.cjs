#!/usr/bin/env node
// @ts-check
'use strict';
// The ironlung command line: token counts, context budgets, truncation, chunking and zstd
// from the shell. Exit codes: 0 success, 1 an input failed, 2 bad usage.

const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const path = require('node:path');
// The package's CommonJS entry, js/node.cjs bundled into one file (scripts/build.sh), which
// starts without loading ES modules; a checkout built for `npm start` alone has the sources.
const bundle = path.join(__dirname, '..', 'js', 'node.bundle.cjs');
const ironlung = /** @type {typeof import('../js/node.cjs')} */ (require(fs.existsSync(bundle) ? bundle : '../js/node.cjs'));
const { walk, shownPath, pathKey } = require('./walk.cjs');
const { UsageError, parseCommand, optionLines } = require('./args.cjs');
const { readStdin, readCapped, readRegular, refuseDirectory, kindOf, Output } = require('./io.cjs');

/** @import { Encoding, TruncateOptions, ChunkOptions, ReadForContextOptions, EventLog, LogEntry } from 'ironlung' */
/** @typedef {import('./args.cjs').Opts} Opts */
/** @typedef {import('./walk.cjs').Problem} Problem */

const out = new Output(process.stdout);

// On the native backend, reading and counting off the JS thread (readForContext, several
// files in flight) is fastest; under wasm, decoding and counting run on the JS thread
// anyway and the synchronous loop wins (BENCHMARKS.md, `ironlung count` on a directory).
function defaultJobs() {
  return ironlung.backend === 'native' ? 8 : 1;
}

/** Reading caps of truncate and chunk, which take one input. */
const SINGLE_INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** Reasons a file is left out of a count without that being an error. */
const SKIP_CODES = new Set(['ERR_BINARY_FILE', 'ERR_FILE_TOO_LARGE', 'ERR_NOT_REGULAR_FILE']);

/** @returns {import('./args.cjs').Options} */
const encodingOptions = () => ({
  encoding: { type: 'string', arg: 'E', help: `the encoding: ${ironlung.listEncodings().join(', ')} (default o200k_base)` },
  model: { type: 'string', arg: 'M', help: 'the encoding of model M, e.g. gpt-4o (not with --encoding)' },
});

/**
 * The encoding that --encoding or --model names; an unknown one is bad usage.
 * @param {string} command
 * @param {Opts} opts
 * @returns {Encoding}
 */
function encodingOf(command, opts) {
  if (opts.encoding !== undefined && opts.model !== undefined) throw new UsageError('give --encoding or --model, not both', command);
  try {
    if (opts.model !== undefined) return ironlung.encodingForModel(opts.model);
    return ironlung.getEncoding(opts.encoding ?? 'o200k_base');
  } catch (e) {
    if (e && (e.code === 'ERR_UNKNOWN_ENCODING' || e.code === 'ERR_UNKNOWN_MODEL')) throw new UsageError(e.message, command);
    throw e;
  }
}

/**
 * Runs `probe` (the API checking an option on empty input); its ERR_INVALID_ARG is bad usage.
 * @param {string} command
 * @param {() => unknown} probe
 */
function checkedByApi(command, probe) {
  try {
    probe();
  } catch (e) {
    if (e && e.code === 'ERR_INVALID_ARG') throw new UsageError(e.message, command);
    throw e;
  }
}

/**
 * An error's message without a leading copy of its code (Node's fs messages start with it).
 * @param {any} e anything thrown
 * @returns {string}
 */
function messageOf(e) {
  const message = e && typeof e.message === 'string' ? e.message : String(e);
  const bare = e && e.code && message.startsWith(`${e.code}: `) ? message.slice(e.code.length + 2) : message;
  // The library names its options as JS names them; here they are flags.
  return bare.replace(/\b(maxOutputBytes|maxBytes|maxTokens)\b/g, (/** @type {string} */ name) => FLAG_OF[/** @type {keyof typeof FLAG_OF} */ (name)]);
}

/** The flag each option of the library is given by. */
const FLAG_OF = { maxOutputBytes: '--max-output-bytes', maxBytes: '--max-bytes', maxTokens: '--max-tokens' };

/**
 * @param {string} file
 * @param {any} e anything thrown
 */
function report(file, e) {
  const code = e && e.code ? `${e.code}: ` : '';
  say(`ironlung: ${shownName(file)}: ${code}${messageOf(e)}\n`);
}

/** Control characters: C0 but line feed, DEL and C1. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;
/** The same with line feed. */
const CONTROL_OR_LF = /[\x00-\x1f\x7f-\x9f]/g;
/** @param {string} c */
const escapeControl = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A name (a path, an extension) as printed: its control characters as `\u00XX`, so that a
 * file named to move the cursor or recolour the screen, or with a line feed in it, prints as
 * plain text on one line.
 * @param {string} name
 */
function shownName(name) {
  return name.replace(CONTROL_OR_LF, escapeControl);
}

/** A progress line is on a terminal's stderr, without its newline (see makeProgress). */
let progressShown = false;

/**
 * Writes `text` (whole lines) to stderr, starting on a line of its own: a progress line on a
 * terminal is cleared first (the next update draws it again below), so that a message is
 * never glued to it.
 * @param {string} text
 */
function say(text) {
  if (progressShown) {
    progressShown = false;
    process.stderr.write('\r\x1b[2K');
  }
  // Messages quote paths and values as given: their control characters never reach the
  // terminal as such.
  process.stderr.write(text.replace(CONTROL, escapeControl));
}

/**
 * stdin (up to one byte past `maxBytes`, so that too much input is reported) as text.
 * @param {number} maxBytes
 */
async function stdinText(maxBytes) {
  const bytes = await readStdin(maxBytes + 1);
  return { text: ironlung.decodeText(bytes, { maxBytes }), bytes: bytes.length };
}

/**
 * @param {string} file
 * @param {number} maxBytes
 */
function readText(file, maxBytes) {
  if (file === '-') return stdinText(maxBytes).then((r) => r.text);
  return ironlung.readTextFileSync(file, { maxBytes });
}

// ---------------------------------------------------------------------------------- count

/**
 * Progress on stderr: when stderr is a terminal, or always with --progress.
 * @param {boolean} explicit
 */
function makeProgress(explicit) {
  const tty = process.stderr.isTTY === true;
  const on = explicit || tty;
  const start = Date.now();
  let last = start;
  let shown = false;
  return {
    /** @param {string} message */
    update(message) {
      if (!on) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r\x1b[2K${message}` : `ironlung: ${message}\n`);
      progressShown = tty;
    },
    /** Seconds since the start. */
    seconds: () => (Date.now() - start) / 1000,
    /**
     * Clears the progress line; with --progress, prints `summary` (if any) on its own line.
     * @param {string} summary
     */
    end(summary) {
      if (tty && shown) say('');
      if (explicit && summary) say(`ironlung: ${summary}\n`);
    },
    /**
     * @param {number} counted
     * @param {number} skipped
     */
    done(counted, skipped) {
      const s = (Date.now() - start) / 1000;
      const all = counted + skipped;
      const rate = s > 0 ? `, ${Math.round(all / s)} files/s` : '';
      this.end(`counted ${counted} files (${skipped} skipped) in ${s.toFixed(2)} s${rate}`);
    },
  };
}

/**
 * @param {number} n
 * @param {string} word
 */
function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Rows of cells; every column but the last is right-aligned.
 * @param {string[]} header
 * @param {string[][]} rows
 */
function renderTable(header, rows) {
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < r.length; i++) if (r[i].length > widths[i]) widths[i] = r[i].length;
  const line = (/** @type {string[]} */ r) => r.map((c, i) => (i === r.length - 1 ? c : c.padStart(widths[i]))).join('  ');
  let out = line(header) + '\n';
  for (const r of rows) out += line(r) + '\n';
  return out;
}

/**
 * renderTable's rows with each cell as {@link shownName} prints it.
 * @param {string[][]} rows
 */
function shownRows(rows) {
  return rows.map((r) => r.map(shownName));
}

/**
 * @param {string} a
 * @param {string} b
 */
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
/**
 * @param {{ path: string }} a
 * @param {{ path: string }} b
 */
const byPath = (a, b) => cmp(a.path, b.path);


/**
 * @param {Opts} opts
 * @param {string[]} rest
 * @returns {Promise<number>}
 */
async function count(opts, rest) {
  const command = 'count';
  if (rest.length === 0) throw new UsageError('count needs at least one PATH (a file, a directory, or - for stdin)', command);
  if (rest.filter((a) => a === '-').length > 1) throw new UsageError('- (stdin) may be given once', command);
  const maxBytes = opts['max-bytes'] ?? ironlung.DEFAULT_MAX_BYTES;
  const jobs = opts.jobs ?? defaultJobs();
  /** @type {'path' | 'tokens' | 'bytes'} */
  const sort = opts.sort ?? 'path';
  const enc = encodingOf(command, opts);
  const progress = makeProgress(opts.progress === true);

  /** @type {Problem[]} */
  const skipped = [];
  let failed = 0;
  /**
   * @param {string} p
   * @param {any} e anything thrown, or a walk's Problem
   */
  const fail = (p, e) => {
    failed++;
    skipped.push({ path: p, code: (e && e.code) || 'EIO', message: messageOf(e) });
    report(p, e);
  };

  // Gather the inputs: named files as given, directories walked; each file once.
  /**
   * @typedef {object} Input
   * @property {string} path as shown
   * @property {string | Buffer | null} file as opened: bytes where a name is not UTF-8; null
   *   for stdin (a walked file may be named -)
   * @property {boolean} named given on the command line
   */
  /** @type {Input[]} */
  const inputs = [];
  const seen = new Set();
  /**
   * @param {string | Buffer} p
   * @param {boolean} named
   */
  const add = (p, named) => {
    const key = pathKey(p);
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push({ path: shownPath(p), file: p, named });
  };
  for (const arg of rest) {
    if (arg === '-') {
      inputs.push({ path: '-', file: null, named: true }); // given once: checked above
      continue;
    }
    let st;
    try {
      st = fs.statSync(arg);
    } catch (e) {
      fail(arg, e);
      continue;
    }
    if (!st.isDirectory()) {
      add(arg, true); // the reader refuses what is not a regular file
      continue;
    }
    const before = inputs.length;
    const r = walk(arg, {
      ignore: !opts['no-ignore'],
      onProgress: (n) => progress.update(`scanned ${before + n} files…`),
      warn: (m) => say(`ironlung: warning: ${m}\n`),
    });
    for (const f of r.files) add(f, false);
    for (const s of r.skipped) {
      const key = path.resolve(s.path);
      if (!seen.has(key)) {
        seen.add(key);
        skipped.push(s);
      }
    }
    for (const e of r.errors) fail(e.path, e);
  }

  // Read and count.
  /** @type {{ path: string, tokens: number, bytes: number }[]} */
  const files = [];
  let done = 0;
  /**
   * @param {Input} input
   * @param {any} [e] what reading or counting it threw
   */
  const settle = (input, e) => {
    if (e && SKIP_CODES.has(e.code)) {
      skipped.push({ path: input.path, code: e.code, message: messageOf(e) });
      if (input.named) report(input.path, e);
    } else if (e) {
      fail(input.path, e);
    }
    done++;
    progress.update(`counted ${done} of ${inputs.length} files…`);
  };
  const countStdin = async () => {
    const { text, bytes } = await stdinText(maxBytes);
    return { tokens: enc.count(text), bytes };
  };
  // The library opens string paths only: a path as bytes is read here, as the library would
  // read it (a regular file, one byte past the cap at most), and its bytes decoded there.
  const countBytesAt = (/** @type {Buffer} */ file) => {
    const data = readRegular(file, maxBytes + 1);
    return { tokens: enc.count(ironlung.decodeText(data, { maxBytes })), bytes: data.length };
  };
  if (jobs === 1) {
    for (const input of inputs) {
      try {
        let r;
        if (input.file === null) r = await countStdin();
        else if (typeof input.file !== 'string') r = countBytesAt(input.file);
        else {
          const bytes = fs.statSync(input.file).size;
          r = { tokens: enc.count(ironlung.readTextFileSync(input.file, { maxBytes })), bytes };
        }
        files.push({ path: input.path, tokens: r.tokens, bytes: r.bytes });
        settle(input);
      } catch (e) {
        settle(input, e);
      }
    }
  } else {
    // readForContext reads, decodes and counts in one call (off the JS thread on the native
    // backend) and gives the bytes read, so there is no stat either.
    const countFile = async (/** @type {string | Buffer} */ p) =>
      typeof p === 'string' ? ironlung.readForContext(p, { maxBytes, encoding: enc.name }) : countBytesAt(p);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        try {
          const r = input.file === null ? await countStdin() : await countFile(input.file);
          files.push({ path: input.path, tokens: r.tokens, bytes: r.bytes });
          settle(input);
        } catch (e) {
          settle(input, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, inputs.length) }, worker));
  }
  progress.done(files.length, skipped.length);

  // Aggregate.
  files.sort(byPath);
  if (sort !== 'path') files.sort((a, b) => b[sort] - a[sort] || byPath(a, b));
  skipped.sort(byPath);
  const exts = new Map();
  const total = { files: 0, tokens: 0, bytes: 0 };
  for (const f of files) {
    const ext = f.path === '-' ? '' : path.extname(f.path);
    let e = exts.get(ext);
    if (!e) exts.set(ext, (e = { files: 0, tokens: 0, bytes: 0 }));
    e.files++;
    e.tokens += f.tokens;
    e.bytes += f.bytes;
    total.files++;
    total.tokens += f.tokens;
    total.bytes += f.bytes;
  }
  const extRows = [...exts].sort((a, b) => b[1].tokens - a[1].tokens || cmp(a[0], b[0]));

  if (opts.json) {
    const result = { encoding: enc.name, files, skipped, byExtension: Object.fromEntries(extRows), total };
    await out.write(JSON.stringify(result) + '\n');
    return failed ? 1 : 0;
  }

  let text = '';
  if (files.length) {
    text += renderTable(
      ['tokens', 'bytes', 'path'],
      shownRows(files.map((f) => [String(f.tokens), String(f.bytes), f.path])),
    );
    text += '\n';
    text += renderTable(
      ['files', 'tokens', 'bytes', 'extension'],
      shownRows(extRows.map(([ext, e]) => [String(e.files), String(e.tokens), String(e.bytes), ext || '(none)'])),
    );
    text += '\n';
  }
  text += `total: ${plural(total.files, 'file')}, ${plural(total.tokens, 'token')}, ${plural(total.bytes, 'byte')} (${enc.name})\n`;
  if (skipped.length) {
    const reasons = new Map();
    for (const s of skipped) reasons.set(s.code, (reasons.get(s.code) || 0) + 1);
    const list = [...reasons].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([code, n]) => `${n} ${code}`);
    text += `skipped: ${plural(skipped.length, 'file')} (${list.join(', ')})\n`;
  }
  await out.write(text);
  return failed ? 1 : 0;
}

// ------------------------------------------------------------------ truncate, chunk, read

/**
 * Text of FILE (or stdin), or the error reported and null.
 * @param {string} file
 * @param {number} maxBytes
 */
async function inputText(file, maxBytes) {
  try {
    return await readText(file, maxBytes);
  } catch (e) {
    if (e && e.code === 'ERR_INVALID_ARG') throw e;
    report(file, e);
    return null;
  }
}

/**
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function truncate(opts, rest) {
  const command = 'truncate';
  if (opts['max-tokens'] === undefined) throw new UsageError('truncate needs --max-tokens N', command);
  if (rest.length !== 1) throw new UsageError('truncate takes exactly one FILE (or - for stdin)', command);
  const enc = encodingOf(command, opts);
  /** @type {TruncateOptions} */
  const options = {};
  if (opts.from !== undefined) options.from = opts.from;
  if (opts.marker !== undefined) options.marker = opts.marker;
  // A marker longer than the budget is refused before any input is read.
  checkedByApi(command, () => enc.truncate('', opts['max-tokens'], options));
  const text = await inputText(rest[0], opts['max-bytes'] ?? SINGLE_INPUT_MAX_BYTES);
  if (text === null) return 1;
  await out.write(enc.truncate(text, opts['max-tokens'], options));
  return 0;
}

/**
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function chunk(opts, rest) {
  const command = 'chunk';
  if (opts['max-tokens'] === undefined) throw new UsageError('chunk needs --max-tokens N', command);
  if (opts.overlap !== undefined && opts.overlap >= opts['max-tokens']) {
    throw new UsageError(`--overlap must be less than --max-tokens, got ${opts.overlap} and ${opts['max-tokens']}`, command);
  }
  if (rest.length !== 1) throw new UsageError('chunk takes exactly one FILE (or - for stdin)', command);
  const enc = encodingOf(command, opts);
  /** @type {ChunkOptions} */
  const options = { maxTokens: opts['max-tokens'] };
  if (opts.overlap !== undefined) options.overlap = opts.overlap;
  if (opts.boundary !== undefined) options.boundary = opts.boundary;
  checkedByApi(command, () => enc.chunk('', options));
  const text = await inputText(rest[0], opts['max-bytes'] ?? SINGLE_INPUT_MAX_BYTES);
  if (text === null) return 1;
  const chunks = enc.chunk(text, options);
  // Lines go out in batches of about a megabyte: bounded memory, and `| head` ends it early.
  let batch = '';
  for (let index = 0; index < chunks.length; index++) {
    const c = chunks[index];
    batch += JSON.stringify({ index, start: c.start, end: c.end, tokens: c.tokens, text: c.text }) + '\n';
    if (batch.length >= 1 << 20) {
      await out.write(batch);
      batch = '';
    }
  }
  await out.write(batch);
  return 0;
}

/**
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function read(opts, rest) {
  const command = 'read';
  if (opts['max-tokens'] === undefined) throw new UsageError('read needs --max-tokens N', command);
  if (rest.length !== 1) throw new UsageError('read takes exactly one FILE', command);
  if (rest[0] === '-') throw new UsageError('read takes a file path, not - (use truncate for stdin)', command);
  /** @type {ReadForContextOptions} */
  const options = { maxTokens: opts['max-tokens'], encoding: encodingOf(command, opts).name };
  if (opts.truncate !== undefined) options.truncate = opts.truncate;
  if (opts['max-bytes'] !== undefined) options.maxBytes = opts['max-bytes'];
  let r;
  try {
    r = await ironlung.readForContext(rest[0], options);
  } catch (e) {
    if (e && e.code === 'ERR_INVALID_ARG') throw e;
    report(rest[0], e);
    return 1;
  }
  if (opts.json) {
    await out.write(JSON.stringify(r) + '\n');
  } else {
    await out.write(r.text);
    say(
      `ironlung: ${rest[0]}: tokens=${r.tokens} truncated=${r.truncated} omittedTokens=${r.omittedTokens} bytes=${r.bytes} encoding=${r.encoding}\n`,
    );
  }
  return 0;
}

// ---------------------------------------------------------------------------------- zstd

// compress and decompress stream: memory stays bounded by zstd's window and a few chunks,
// whatever the size of IN or OUT. A failed command leaves no OUT file behind.
/**
 * @param {'compress' | 'decompress'} command
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function zstd(command, opts, rest) {
  if (rest.length !== 2) throw new UsageError(`${command} takes IN and OUT (either may be - for stdin or stdout)`, command);
  const [inFile, outFile] = rest;
  if (command === 'compress' && outFile === '-') refuseTerminal(command);
  // Both from stdin, the dictionary would take all of it and IN would be empty.
  if (opts.dict === '-' && inFile === '-') throw new UsageError(`${command}: --dict - and IN - would both read stdin; give one of them as a file`, command);
  let dictionary;
  /** @type {import('node:fs').Stats | null} the --dict file, which OUT must not be either */
  let dictFile = null;
  if (opts.dict !== undefined) {
    try {
      const bytes = await readCapped(opts.dict, DICT_MAX_BYTES, 'a --dict file may hold (32 MiB, the most the zstd CLI loads)');
      dictFile = opts.dict === '-' ? fs.fstatSync(0) : fs.statSync(opts.dict);
      // Prepared here, once, at the stream's --level: an empty or damaged file is reported as
      // that file's error.
      dictionary = new ironlung.ZstdDictionary(bytes, command === 'compress' ? { level: opts.level } : {});
    } catch (e) {
      report(opts.dict, e);
      return 1;
    }
  }
  // A node:stream Transform (index.d.ts types it structurally, for projects without @types/node).
  const transform = /** @type {import('node:stream').Transform} */ (
    command === 'compress'
      ? ironlung.createZstdCompress({ level: opts.level, dictionary })
      : ironlung.createZstdDecompress({ maxOutputBytes: opts['max-output-bytes'], dictionary })
  );
  /** @type {import('node:stream').Readable} */
  let source;
  let size = NaN;
  /** @type {import('node:fs').Stats | null} the input, to tell it from the output */
  let input = null;
  try {
    if (inFile === '-') {
      input = fs.fstatSync(0);
      refuseDirectory(input);
      source = process.stdin;
    } else {
      const fd = fs.openSync(inFile, 'r');
      input = fs.fstatSync(fd);
      size = input.size;
      source = fs.createReadStream('', { fd, highWaterMark: 1 << 20 });
    }
  } catch (e) {
    report(inFile, e);
    return 1;
  }
  /** @type {'in' | 'out' | null} */
  let failed = null;
  source.once('error', () => (failed ??= 'in'));
  /** @type {import('node:fs').WriteStream | null} */
  let file = null;
  /** @type {import('node:fs').Stats | null} the output, when it is a regular file */
  let made = null;
  let sink = out;
  // Interrupted (Ctrl-C, a kill), the command takes back what it wrote, as zstd does, and
  // ends as the signal would have ended it.
  /** @param {NodeJS.Signals} signal */
  const interrupted = (signal) => {
    removePartial(outFile, made);
    process.kill(process.pid, signal);
  };
  const signals = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
  const unlisten = () => {
    for (const s of signals) process.off(s, interrupted);
  };
  if (outFile !== '-') {
    // Listening before OUT exists: a signal that comes while it is opened then waits for
    // this synchronous code, which sets `made`, where it would have killed the process with
    // OUT left behind. Not before opening a FIFO or a device, which is never taken back:
    // its open may wait for the other end (a FIFO's reader), and a signal would wait with
    // it, so that Ctrl-C could not end the command.
    const listen = () => {
      for (const s of signals) process.once(s, interrupted);
    };
    let before = null;
    try {
      before = fs.statSync(outFile);
    } catch {
      // Made by the open below, or its error reported there.
    }
    const early = before === null || before.isFile();
    if (early) listen();
    let fd;
    try {
      // Not truncated before it is known not to be the input, which truncating would lose.
      fd = fs.openSync(outFile, fs.constants.O_WRONLY | fs.constants.O_CREAT);
      const st = fs.fstatSync(fd);
      const is = (/** @type {import('node:fs').Stats | null} */ f) => st.isFile() && f !== null && f.isFile() && st.dev === f.dev && st.ino === f.ino;
      if (is(input) || is(dictFile)) {
        fs.closeSync(fd);
        source.destroy();
        const what = is(input) ? `the input file${inFile === '-' ? ' (standard input)' : ''}` : `the --dict file${opts.dict === '-' ? ' (standard input)' : ''}`;
        throw new UsageError(`${command}: ${outFile} is ${what}; write to another file`, command);
      }
      if (st.isFile()) {
        fs.ftruncateSync(fd, 0);
        made = st;
      }
    } catch (e) {
      unlisten();
      if (e instanceof UsageError) throw e;
      source.destroy();
      report(outFile, e);
      return 1;
    }
    if (!made) unlisten();
    else if (!early) listen();
    file = fs.createWriteStream('', { fd });
    file.once('error', () => (failed ??= 'out'));
    sink = new Output(file);
  }
  const progress = makeProgress(opts.progress === true);
  const verb = command === 'compress' ? 'compressed' : 'decompressed';
  let read = 0;
  let written = 0;
  source.on('data', (c) => (read += c.length));
  // A small input may decompress to gigabytes: either side being large shows progress.
  const large = () => read >= PROGRESS_FROM || written >= PROGRESS_FROM;
  const line = () => {
    const of = Number.isFinite(size) && size > 0 ? ` of ${mb(size)} (${Math.floor((100 * read) / size)}%)` : '';
    return `${verb} ${mb(read)}${of} into ${mb(written)}`;
  };
  try {
    await pipeline(source, transform, async (/** @type {AsyncIterable<Buffer>} */ pieces) => {
      for await (const piece of pieces) {
        await sink.write(piece);
        written += piece.length;
        if (large()) progress.update(`${line()}…`);
      }
    });
    if (file) await closeFile(file);
  } catch (e) {
    // Which side failed, before destroying the file fails its pending write too; a failed
    // write is reported with its own error (EFBIG, ENOSPC), not the pipeline's abort.
    const at = failed === 'out' ? outFile : inFile;
    if (failed === 'out' && file?.errored) e = file.errored;
    if (file) {
      const f = file;
      if (!f.closed) await new Promise((resolve) => f.once('close', () => resolve(undefined)).destroy());
      removePartial(outFile, made);
    }
    if (e && /** @type {any} */ (e).code === 'ERR_INVALID_ARG') throw e;
    report(at, e);
    return 1;
  } finally {
    unlisten();
  }
  progress.end(large() ? `${line()} in ${progress.seconds().toFixed(2)} s` : '');
  return 0;
}

/**
 * Bad usage when stdout is a terminal, for a command about to write binary data to it
 * (compressed data, a dictionary), as gzip and zstd refuse: it would be garbage on the
 * screen, and could leave the terminal in a strange state.
 * @param {string} command
 */
function refuseTerminal(command) {
  if (process.stdout.isTTY) {
    throw new UsageError(`${command}: stdout is a terminal, and the output is binary; give a file, or redirect stdout (> FILE, | ...)`, command);
  }
}

/**
 * Takes away what a failed command wrote to `outFile`, if that is still the regular file it
 * opened (`made`): removes it, or empties it where `outFile` is a symbolic link to it (the
 * link stays). Never a device, a FIFO, or a file another has put in its place since.
 * @param {string} outFile
 * @param {import('node:fs').Stats | null} made
 */
function removePartial(outFile, made) {
  if (!made) return;
  try {
    const now = fs.statSync(outFile);
    if (now.ino !== made.ino || now.dev !== made.dev) return;
    if (fs.lstatSync(outFile).isSymbolicLink()) fs.truncateSync(outFile, 0);
    else fs.rmSync(outFile, { force: true });
  } catch {
    // Gone already.
  }
}

/**
 * Writes `bytes` to `file`, or, if that fails (a full disk), takes back what it wrote.
 * @param {string} file
 * @param {Uint8Array} bytes
 */
function writeWhole(file, bytes) {
  const fd = fs.openSync(file, 'w');
  const st = fs.fstatSync(fd);
  try {
    fs.writeFileSync(fd, bytes);
  } catch (e) {
    fs.closeSync(fd);
    removePartial(file, st.isFile() ? st : null);
    throw e;
  }
  fs.closeSync(fd);
}

/** Inputs this large show progress on stderr (a terminal, or --progress). */
const PROGRESS_FROM = 64 << 20;

/** @param {number} bytes */
function mb(bytes) {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Resolves once `file` has written everything and closed.
 * @param {import('node:fs').WriteStream} file
 * @returns {Promise<void>}
 */
function closeFile(file) {
  return new Promise((resolve, reject) => {
    if (file.errored) return reject(file.errored);
    file.once('error', reject);
    file.end((/** @type {Error | null | undefined} */ e) => (e ? reject(e) : resolve()));
  });
}

/**
 * `train-dict`: every file among SAMPLES (directories walked as count walks them) is one
 * sample.
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function trainDict(opts, rest) {
  const command = 'train-dict';
  if (rest.length === 0) throw new UsageError('train-dict needs SAMPLES: files or directories', command);
  if (opts.out === undefined) throw new UsageError('train-dict needs --out FILE', command);
  if (opts.out === '-') refuseTerminal(command);
  const t0 = Date.now();
  /** @type {Buffer[]} */
  const samples = [];
  let bytes = 0;
  let skipped = 0;
  let overTotal = 0;
  const maxTotal = opts['max-total'] ?? MAX_TRAINING_BYTES;
  let notFiles = 0;
  let failed = 0;
  const seen = new Set();
  /** @param {string | Buffer} file as bytes where a name is not UTF-8 */
  const take = (file) => {
    const key = pathKey(file);
    if (seen.has(key)) return;
    seen.add(key);
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) throw { code: 'ERR_NOT_REGULAR_FILE', message: `'${shownPath(file)}' is ${kindOf(st)}; only regular files are samples` };
      if (st.size > MAX_SAMPLE_BYTES) {
        skipped++;
        return;
      }
      // Samples are held whole, and the trainer copies them again: memory stays bounded.
      if (bytes + st.size > maxTotal) {
        overTotal++;
        return;
      }
      const b = readRegular(file);
      samples.push(b);
      bytes += b.length;
    } catch (e) {
      failed++;
      report(shownPath(file), e);
    }
  };
  for (const arg of rest) {
    let st;
    try {
      st = fs.statSync(arg);
    } catch (e) {
      failed++;
      report(arg, e);
      continue;
    }
    if (!st.isDirectory()) {
      take(arg);
      continue;
    }
    const r = walk(arg, { ignore: !opts['no-ignore'], warn: (m) => say(`ironlung: warning: ${m}\n`) });
    for (const f of r.files) take(f);
    // What the walk could not read fails the command, as it fails `count`.
    for (const e of r.errors) {
      failed++;
      report(e.path, e);
    }
    notFiles += r.skipped.length;
  }
  let dict;
  try {
    dict = ironlung.trainDictionary(samples, { maxBytes: opts['max-bytes'] });
  } catch (e) {
    // Too few samples, or too little in them: the input's fault, not the usage's.
    report(command, e);
    return 1;
  }
  // - is stdout, as OUT of compress is, never a file named '-'.
  const toStdout = opts.out === '-';
  try {
    if (toStdout) await out.write(dict);
    else writeWhole(opts.out, dict);
  } catch (e) {
    report(toStdout ? 'stdout' : opts.out, e);
    return 1;
  }
  const id = new ironlung.ZstdDictionary(dict).id;
  const note =
    (skipped ? `; skipped ${plural(skipped, 'file')} over ${MAX_SAMPLE_BYTES} bytes` : '') +
    (overTotal ? `; left out ${plural(overTotal, 'file')} past --max-total ${maxTotal} bytes of samples` : '') +
    (notFiles ? `; skipped ${plural(notFiles, 'path')} that ${notFiles === 1 ? 'is not a regular file' : 'are not regular files'}` : '');
  say(
    `ironlung: wrote a ${dict.length}-byte dictionary (id ${id}) to ${toStdout ? 'stdout' : opts.out}, trained on ${plural(samples.length, 'sample')} ` +
      `(${mb(bytes)}) in ${((Date.now() - t0) / 1000).toFixed(2)} s${note}\n`,
  );
  return failed ? 1 : 0;
}

/** Larger files make poor samples (zstd trains on repeats across many small ones). */
const MAX_SAMPLE_BYTES = 16 << 20;
/** The most sample bytes `train-dict` reads by default: they are held twice while it trains. */
const MAX_TRAINING_BYTES = 512 << 20;

/** The most `info` reads: it holds its input whole to walk the frames. */
const INFO_MAX_BYTES = 1 << 30;
/** The largest `--dict` file: the zstd CLI loads none larger (its DICTSIZE_MAX). */
const DICT_MAX_BYTES = 32 << 20;

/**
 * `info`: what the frames of FILE declare, read without decoding.
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function info(opts, rest) {
  if (rest.length !== 1) throw new UsageError('info takes exactly one FILE (or - for stdin)', 'info');
  const file = rest[0];
  let data;
  try {
    data = await readCapped(file, INFO_MAX_BYTES, 'info reads (it holds its input whole to walk the frames)');
  } catch (e) {
    report(file, e);
    return 1;
  }
  let i;
  try {
    i = ironlung.frameInfo(data);
  } catch (e) {
    report(file, e);
    return 1;
  }
  if (opts.json) {
    await out.write(JSON.stringify({ file, compressedSize: data.length, ...i }) + '\n');
    return 0;
  }
  const rows = [
    ['frames', String(i.frames)],
    ['compressed', `${data.length} bytes`],
    ['content size', i.contentSize === null ? 'not declared' : `${i.contentSize} bytes`],
    ['window size', `${i.windowSize} bytes`],
    ['dictionary id', i.dictionaryId === null ? 'none' : String(i.dictionaryId)],
    ['checksum', i.hasChecksum ? 'yes' : 'no'],
  ];
  await out.write(rows.map(([k, v]) => `${k.padEnd(14)}${v}\n`).join(''));
  return 0;
}

// ----------------------------------------------------------------------------------- log

// log cat, verify and stats open the log readOnly (create: false): no writer lock, nothing
// written, so they may run beside the log's writer, and never cut a torn tail away.

/**
 * FILE, the one log a log command takes.
 * @param {string} command
 * @param {string[]} rest
 */
function logFile(command, rest) {
  if (rest.length !== 1) throw new UsageError(`${command} takes exactly one log FILE`, command);
  if (rest[0] === '-') throw new UsageError(`${command} takes a file path, not - (a log is read by offset, not as a stream)`, command);
  return rest[0];
}

/**
 * Opens FILE readOnly, or reports why not and resolves to null.
 * @param {string} file
 * @param {boolean} [skip] open with `onCorrupt: 'skip'` (verify: damage is listed, not thrown)
 * @returns {Promise<EventLog | null>}
 */
async function openLogFile(file, skip = false) {
  try {
    return await ironlung.openLog(file, { readOnly: true, create: false, onCorrupt: skip ? 'skip' : 'error' });
  } catch (e) {
    report(file, e);
    return null;
  }
}

/**
 * A torn last write is not an error for a reader (the writer's next open cuts it away), but
 * the reader should know that those bytes are ignored.
 * @param {string} file
 * @param {EventLog} log
 */
function warnRecovered(file, log) {
  const r = log.recovered;
  if (r) {
    say(
      `ironlung: warning: ${file}: the last ${plural(r.droppedBytes, 'byte')} (from byte offset ${r.offset}) are a torn write, ignored\n`,
    );
  }
}

/** Control characters (Unicode Cc) but tab, and the backslash: what `log cat` escapes in text. */
const ESCAPED = /[\\\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/** @type {Record<string, string>} */
const ESCAPES = { '\\': '\\\\', '\n': '\\n', '\r': '\\r' };

/**
 * A text record on one line: `\` as `\\`, line feed as `\n`, carriage return as `\r`, other
 * control characters but tab as `\u00XX` (as JSON writes them). Reversible.
 * @param {string} text
 */
function escapeLine(text) {
  ESCAPED.lastIndex = 0;
  if (!ESCAPED.test(text)) return text;
  return text.replace(ESCAPED, (c) => ESCAPES[c] ?? escapeControl(c));
}

/** @param {Uint8Array} bytes */
function base64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** What marks a bytes record in `log cat`'s text output. */
const BYTES_MARKER = 'base64:';

/**
 * One record as `log cat` prints it, without the newline.
 * @param {LogEntry} e
 * @param {boolean} json
 */
function catLine(e, json) {
  const d = e.data;
  if (json) {
    const [kind, data] =
      typeof d === 'string' ? ['text', d] : d instanceof Uint8Array ? ['bytes', { $bytes: base64(d) }] : ['json', d];
    return JSON.stringify({ seq: e.seq, time: e.time, kind, data });
  }
  if (typeof d === 'string') return escapeLine(d);
  if (d instanceof Uint8Array) return BYTES_MARKER + base64(d);
  return JSON.stringify(d);
}

/**
 * `log cat`: the records, one per line, streamed in seq order.
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function logCat(opts, rest) {
  const file = logFile('log cat', rest);
  /** @type {{ from?: number, to?: number }} */
  const range = {};
  if (opts.from !== undefined) range.from = opts.from;
  if (opts.to !== undefined) range.to = opts.to;
  const json = opts.json === true;
  const done = await withLog(file, async (log) => {
    warnRecovered(file, log);
    // Lines go out in batches of at most about 64 KiB: bounded memory, and `| head` ends it
    // early. At damage, the records before it are printed, then the damage reported.
    let batch = '';
    try {
      for await (const e of log.entries(range)) {
        batch += catLine(e, json) + '\n';
        if (batch.length >= 1 << 16) {
          await out.write(batch);
          batch = '';
        }
      }
    } finally {
      await out.write(batch);
    }
    return true;
  });
  return done ? 0 : 1;
}

/**
 * Opens `file` read-only, runs `f` on the log and closes it. An error opening it or in `f` is
 * reported (on stderr) and gives `null`.
 * @template T
 * @param {string} file
 * @param {(log: import('ironlung').EventLog) => Promise<T>} f
 * @param {boolean} [skip] see openLogFile
 * @returns {Promise<T | null>}
 */
async function withLog(file, f, skip = false) {
  const log = await openLogFile(file, skip);
  if (!log) return null;
  try {
    return await f(log);
  } catch (e) {
    report(file, e);
    return null;
  } finally {
    await log.close();
  }
}

/**
 * `log verify`: every frame read and checked; exit 1 if any range is damaged.
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function logVerify(opts, rest) {
  const file = logFile('log verify', rest);
  // A damaged dictionary is listed with the rest, not an error opening the log.
  const r = await withLog(file, (log) => log.verify(), true);
  if (!r) return 1;
  if (opts.json) {
    await out.write(JSON.stringify({ file, ...r }) + '\n');
  } else {
    const counts = `${plural(r.records, 'record')} intact, ${plural(r.bytes, 'byte')} checked`;
    let text = r.ok ? `${shownName(file)}: ok: ${counts}\n` : `${shownName(file)}: damaged: ${counts}, ${plural(r.damaged.length, 'damaged range')}\n`;
    for (const d of r.damaged) text += `offset ${d.offset}, length ${d.length}: ${d.reason}\n`;
    await out.write(text);
  }
  return r.ok ? 0 : 1;
}

/**
 * `log stats`: the counts the log's last frame holds, without reading the rest.
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function logStats(opts, rest) {
  const file = logFile('log stats', rest);
  const s = await withLog(file, (log) => {
    warnRecovered(file, log);
    return log.stats();
  });
  if (!s) return 1;
  if (opts.json) {
    await out.write(JSON.stringify({ file, ...s }) + '\n');
    return 0;
  }
  const rows = [
    ['records', String(s.records)],
    ['first seq', String(s.firstSeq)],
    ['last seq', String(s.lastSeq)],
    ['raw bytes', String(s.rawBytes)],
    ['stored bytes', String(s.storedBytes)],
    ['segments', String(s.segments)],
    ['dictionary id', s.dictionaryId === null ? 'none' : String(s.dictionaryId)],
  ];
  await out.write(rows.map(([k, v]) => `${k.padEnd(15)}${v}\n`).join(''));
  return 0;
}

/**
 * `log compact`: compact() (with --repack, compact({ repack })), as the log's writer.
 * @param {Opts} opts
 * @param {string[]} rest
 */
async function logCompact(opts, rest) {
  const file = logFile('log compact', rest);
  if (opts.level !== undefined && !opts.repack) throw new UsageError('--level is the level of --repack; give --repack too', 'log compact');
  /** @type {EventLog} */
  let log;
  try {
    log = await ironlung.openLog(file, { create: false, dictionary: false });
  } catch (e) {
    report(file, e);
    return 1;
  }
  try {
    warnRecovered(file, log);
    const repack = opts.repack ? { repack: opts.level === undefined ? true : { level: opts.level } } : undefined;
    const r = await log.compact(repack);
    if (opts.json) {
      await out.write(JSON.stringify({ file, ...r }) + '\n');
    } else {
      const what = r.bytesAfter === r.bytesBefore && r.droppedRecords === 0 && !opts.repack ? 'nothing to drop, left as it is' : `${plural(r.droppedRecords, 'record')} dropped`;
      await out.write(`${shownName(file)}: ${what}: ${plural(r.bytesBefore, 'byte')} -> ${plural(r.bytesAfter, 'byte')}\n`);
    }
    return 0;
  } catch (e) {
    report(file, e);
    return 1;
  } finally {
    await log.close();
  }
}

// ------------------------------------------------------------------------------ commands

/** @type {import('./args.cjs').Option & { type: 'int' }} */
const MAX_TOKENS = { type: 'int', arg: 'N', min: 0, help: 'the token budget (required)' };

/**
 * @typedef {object} Command
 * @property {string} synopsis
 * @property {string} summary
 * @property {string} about
 * @property {() => import('./args.cjs').Options} options
 * @property {(opts: Opts, rest: string[]) => Promise<number>} run
 */

/** @type {Record<string, Command>} */
const COMMANDS = {
  count: {
    synopsis: 'count [options] PATH...',
    summary: 'tokens per file, per extension and in total',
    about: `PATH is a file, a directory (walked the way git sees it, honouring .gitignore and
.git/info/exclude, and following no symbolic link) or - for stdin. Binary files, files over
--max-bytes and anything that is not a regular file (a link met in a walk included) are
skipped and summarised; a path that cannot be read is an error (exit 1), and the rest is
still counted.`,
    options: () => ({
      ...encodingOptions(),
      sort: { type: 'choice', choices: ['path', 'tokens', 'bytes'], help: 'order of the file table (default path; tokens, bytes: largest first)' },
      'max-bytes': { type: 'int', arg: 'N', min: 0, help: `skip files larger than N bytes (default ${ironlung.DEFAULT_MAX_BYTES})` },
      json: { type: 'flag', help: 'one JSON object: { encoding, files, skipped, byExtension, total }' },
      'no-ignore': { type: 'flag', help: 'do not apply .gitignore and .git/info/exclude' },
      progress: { type: 'flag', help: 'report progress on stderr (default: only when stderr is a terminal)' },
      jobs: { type: 'int', arg: 'N', min: 1, help: `files read concurrently (default ${defaultJobs()}; 1 reads synchronously)` },
    }),
    run: count,
  },
  truncate: {
    synopsis: 'truncate --max-tokens N [options] FILE|-',
    summary: 'the text that fits in N tokens',
    about: `Prints the part of FILE (or stdin) that fits in --max-tokens: the head (--from end, the
default), the tail (--from start), or head and tail (--from middle). --marker TEXT marks
where text is cut, with any --from; only --from middle has a marker by default.`,
    options: () => ({
      ...encodingOptions(),
      'max-tokens': MAX_TOKENS,
      from: { type: 'choice', choices: ['end', 'start', 'middle'], help: 'which side is cut (default end: the head is kept)' },
      marker: {
        type: 'string',
        arg: 'TEXT',
        help: 'text put where text is cut, with any --from (default: none; for --from middle, "[… {omitted} tokens omitted …]" on a line of its own); {omitted} stands for the tokens removed',
      },
      'max-bytes': { type: 'int', arg: 'N', min: 0, help: `read at most N bytes (default ${SINGLE_INPUT_MAX_BYTES})` },
    }),
    run: truncate,
  },
  chunk: {
    synopsis: 'chunk --max-tokens N [options] FILE|-',
    summary: 'chunks of at most N tokens, one JSON line each',
    about: `Splits FILE (or stdin) into chunks of at most --max-tokens tokens and prints one JSON
line per chunk: {"index","start","end","tokens","text"} (start and end in UTF-16 units).`,
    options: () => ({
      ...encodingOptions(),
      'max-tokens': { ...MAX_TOKENS, min: 1 },
      overlap: { type: 'int', arg: 'K', min: 0, help: 'tokens of the previous chunk each chunk repeats (default 0)' },
      boundary: { type: 'choice', choices: ['token', 'line', 'paragraph'], help: 'where a chunk may end (default token)' },
      'max-bytes': { type: 'int', arg: 'N', min: 0, help: `read at most N bytes (default ${SINGLE_INPUT_MAX_BYTES})` },
    }),
    run: chunk,
  },
  read: {
    synopsis: 'read --max-tokens N [options] FILE',
    summary: 'readForContext: the text that fits, a summary on stderr',
    about: `Prints FILE's text, truncated to --max-tokens, and a one-line summary on stderr
(tokens=… truncated=… omittedTokens=… bytes=… encoding=…), or with --json the whole result.`,
    options: () => ({
      ...encodingOptions(),
      'max-tokens': MAX_TOKENS,
      truncate: { type: 'choice', choices: ['end', 'middle'], help: 'where the text is cut (default end)' },
      'max-bytes': { type: 'int', arg: 'N', min: 0, help: `read at most N bytes (default ${ironlung.DEFAULT_MAX_BYTES})` },
      json: { type: 'flag', help: 'print the result object { text, tokens, truncated, omittedTokens, bytes, encoding }' },
    }),
    run: read,
  },
  compress: {
    synopsis: 'compress [--level L] [--dict FILE] [--progress] IN OUT',
    summary: 'zstd: IN to OUT, either may be -',
    about: `Compresses IN (a file, or - for stdin) into one zstd frame written to OUT (a file, or -
for stdout, which is refused when it is a terminal), streaming: memory stays bounded whatever the size. The output is what the zstd
command line reads. Progress shows on stderr for inputs over 64 MB when stderr is a terminal.`,
    options: () => ({
      level: { type: 'int', arg: 'L', help: `zstd level, -131072 to 22 (default ${ironlung.DEFAULT_LEVEL})` },
      dict: { type: 'string', arg: 'FILE', help: 'compress with this zstd dictionary (train-dict or zstd --train writes one)' },
      progress: { type: 'flag', help: 'report progress of large inputs on stderr (default: only when stderr is a terminal)' },
    }),
    run: (opts, rest) => zstd('compress', opts, rest),
  },
  decompress: {
    synopsis: 'decompress [--max-output-bytes N] [--dict FILE] [--progress] IN OUT',
    summary: 'zstd: IN to OUT, either may be -',
    about: `Decompresses the zstd frames of IN (a file, or - for stdin) to OUT (a file, or - for
stdout), streaming, and stops with an error once the output would pass --max-output-bytes.
A failed run leaves no OUT file.`,
    options: () => ({
      'max-output-bytes': { type: 'int', arg: 'N', min: 0, help: `the largest output accepted (default ${ironlung.DEFAULT_MAX_OUTPUT_BYTES})` },
      dict: { type: 'string', arg: 'FILE', help: 'the zstd dictionary the frames were compressed with' },
      progress: { type: 'flag', help: 'report progress of large inputs on stderr (default: only when stderr is a terminal)' },
    }),
    run: (opts, rest) => zstd('decompress', opts, rest),
  },
  'train-dict': {
    synopsis: 'train-dict --out FILE|- [--max-bytes N] [--max-total N] [--no-ignore] SAMPLES...',
    summary: 'a zstd dictionary trained on sample files',
    about: `Trains a zstd dictionary on SAMPLES (files, or directories walked the way count walks
them), each file one sample, with zstd's own trainer, and writes it to --out. The
dictionary works with compress --dict and with the zstd command line's -D. Give it many
small samples like the data to come (hundreds or more).`,
    options: () => ({
      out: { type: 'string', arg: 'FILE', help: 'where to write the dictionary, - for stdout (required)' },
      'max-bytes': { type: 'int', arg: 'N', min: 256, max: 32 << 20, help: 'the largest dictionary, 256 to 33554432 (default 112640, as zstd --train)' },
      'max-total': {
        type: 'int',
        arg: 'N',
        min: 1,
        help: 'the most bytes of samples to read (default 536870912); files past it are left out, and the summary says how many',
      },
      'no-ignore': { type: 'flag', help: 'do not apply .gitignore and .git/info/exclude' },
    }),
    run: trainDict,
  },
  info: {
    synopsis: 'info [--json] FILE|-',
    summary: 'what zstd frames declare, without decoding',
    about: `Prints what the zstd frames of FILE (or stdin) declare, read from their headers without
decoding: the number of frames, the content size, the decoding window, the dictionary id
and whether they carry checksums. Every frame is checked to be complete.`,
    options: () => ({
      json: { type: 'flag', help: 'one JSON object: { file, compressedSize, contentSize, windowSize, dictionaryId, hasChecksum, frames }' },
    }),
    run: info,
  },
  'log cat': {
    synopsis: 'log cat [--from N] [--to M] [--json] FILE',
    summary: 'a session log\'s records, one per line',
    about: `Prints the records of the session log FILE (openLog's) in seq order, one per line,
streaming. A text record is printed as it is, except that \\ becomes \\\\, a line feed \\n,
a carriage return \\r and any other control character but tab \\u00XX, as JSON writes it;
a JSON record as compact JSON; a bytes record as "${BYTES_MARKER}" followed by its bytes in base64.
With --json each line is {"seq","time","kind","data"}: kind is "text", "json" or "bytes",
data the string, the JSON value or {"$bytes":"<base64>"}, time in ms since the epoch.
The log is opened read-only, so a writer may be appending meanwhile. Damage stops the
listing with ERR_CORRUPT_LOG (exit 1) after the records before it; log verify lists it.`,
    options: () => ({
      from: { type: 'int', arg: 'N', min: 0, help: 'start at seq N (default: the first record)' },
      to: { type: 'int', arg: 'M', min: 0, help: 'stop before seq M, which is not printed (default: the end)' },
      json: { type: 'flag', help: 'one JSON object per record: {"seq","time","kind","data"}' },
    }),
    run: logCat,
  },
  'log verify': {
    synopsis: 'log verify [--json] FILE',
    summary: 'check every frame of a session log; exit 1 on damage',
    about: `Reads and checks every frame of the session log FILE (checksums, decompression) and prints
a summary line, then each damaged range on a line of its own: offset, length (in bytes)
and what is wrong there. Exit 0 if the log is intact, 1 if any range is damaged, a torn
last write included (the log's writer cuts that away on its next open).`,
    options: () => ({
      json: { type: 'flag', help: 'one JSON object: { file, ok, records, bytes, damaged: [{ offset, length, reason }] }' },
    }),
    run: logVerify,
  },
  'log stats': {
    synopsis: 'log stats [--json] FILE',
    summary: 'a session log\'s counts, from its last frame',
    about: `Prints the counts of the session log FILE, read from its last frame without reading the
rest: its records and their seqs, the records' bytes as appended (raw) and the file's size
(stored), its frames (segments) and the id of its zstd dictionary.`,
    options: () => ({
      json: { type: 'flag', help: 'one JSON object: { file, records, firstSeq, lastSeq, rawBytes, storedBytes, segments, dictionaryId }' },
    }),
    run: logStats,
  },
  'log compact': {
    synopsis: 'log compact [--repack [--level L]] [--json] FILE',
    summary: 'drop what a session log\'s checkpoint covers; --repack shrinks the rest',
    about: `Compacts the session log FILE as its writer (so not while another writer has it open:
ERR_LOG_LOCKED): drops the records its newest checkpoint covers, keeping the checkpoint and
everything after it. With --repack it also writes the records it keeps, all of them if
there is no checkpoint, into frames of up to 4 MiB compressed together (zstd level 9, or
--level): a log of small appends takes a fraction of the bytes. The new file is written
beside the log and renamed over it, so an interrupted compaction leaves the old log whole.
A torn last write is cut away first, as any writer's open does (a warning says so). Prints
the records dropped and the log's size before and after.`,
    options: () => ({
      repack: { type: 'flag', help: 'write the records kept into 4 MiB frames, compressed together' },
      level: { type: 'int', arg: 'L', help: 'the zstd level --repack compresses at, -131072 to 22 (default 9)' },
      json: { type: 'flag', help: 'one JSON object: { file, droppedRecords, bytesBefore, bytesAfter }' },
    }),
    run: logCompact,
  },
};

/** @param {string} name */
function commandHelp(name) {
  const c = COMMANDS[name];
  return `usage: ironlung ${c.synopsis}\n\n${c.about}\n\noptions:\n${optionLines(c.options())}\n`;
}

/** Commands named by two words, by their first: `log cat`, `log verify`, `log stats`, `log compact`. */
const GROUPS = {
  log: {
    about: `Reads a session log, the file openLog writes, without changing it (cat, verify, stats: the
log is opened read-only, takes no writer lock, and a torn last write is reported, not cut
away), or compacts it as its writer (compact).`,
  },
};

/** @param {string} group */
function subcommands(group) {
  return Object.keys(COMMANDS)
    .filter((name) => name.startsWith(`${group} `))
    .map((name) => name.slice(group.length + 1));
}

/** @param {'log'} group */
function groupHelp(group) {
  const subs = subcommands(group);
  const usage = subs.map((sub, i) => `${i === 0 ? 'usage:' : '      '} ironlung ${COMMANDS[`${group} ${sub}`].synopsis}`).join('\n');
  const width = Math.max(...subs.map((sub) => sub.length));
  const lines = subs.map((sub) => `  ${sub.padEnd(width)}  ${COMMANDS[`${group} ${sub}`].summary}`);
  return `${usage}\n\n${GROUPS[group].about}\n\ncommands:\n${lines.join('\n')}\n\n'ironlung ${group} COMMAND --help' shows a command's options.\n`;
}

/**
 * The command that `words` (the command line's first words) name, and the words after it.
 * A group (`log`) followed by --help names the group, and so does a group alone if `help`
 * asks about it.
 * @param {string[]} words
 * @param {boolean} [help] words follow `ironlung help`
 * @returns {{ name: string, group: boolean, rest: string[] }}
 */
function resolveCommand(words, help = false) {
  const [first, ...rest] = words;
  if (Object.hasOwn(GROUPS, first)) {
    const sub = rest[0];
    if (sub === '--help' || sub === '-h' || (help && sub === undefined)) return { name: first, group: true, rest: [] };
    if (sub === undefined) {
      const subs = subcommands(first);
      throw new UsageError(`${first} needs a command: ${subs.slice(0, -1).join(', ')} or ${subs.at(-1)}`, first);
    }
    const name = `${first} ${sub}`;
    if (!Object.hasOwn(COMMANDS, name)) {
      throw new UsageError(sub.startsWith('-') ? `${first} needs a command before ${sub}` : `unknown command ${JSON.stringify(`${first} ${sub}`)}`, first);
    }
    return { name, group: false, rest: rest.slice(1) };
  }
  if (!Object.hasOwn(COMMANDS, first)) {
    throw new UsageError(first.startsWith('-') ? `unknown option ${first}` : `unknown command ${JSON.stringify(first)}`);
  }
  return { name: first, group: false, rest };
}

function overview() {
  const lines = Object.values(COMMANDS).map((c) => `  ironlung ${c.synopsis}\n      ${c.summary}`);
  return `usage: ironlung COMMAND [options] ARGS...

commands:
${lines.join('\n')}

'ironlung COMMAND --help' (or 'ironlung help COMMAND') shows a command's options.
Every command that counts takes --encoding E or --model M; the default encoding is
o200k_base (GPT-4o, GPT-4.1, GPT-5, o-series).
Encodings: ${ironlung.listEncodings().join(', ')}. Backend: ${ironlung.backend}.
Exit codes: 0 success (skipped binary or oversized files included), 1 an input failed
(the others are still processed) or log verify found damage, 2 bad usage. A reader that
goes away (| head) ends the command quietly, with 0.
ironlung --version prints the version and the backend.
`;
}

// ---------------------------------------------------------------------------------- main

/**
 * @param {string[]} argv
 * @returns {Promise<number>}
 */
async function main(argv) {
  const [cmd, ...args] = argv;
  let command;
  try {
    if (cmd === undefined) throw new UsageError('no command given');
    if (cmd === '--version' || cmd === '-V') {
      if (args.length) throw new UsageError(`${cmd} takes no arguments, got ${JSON.stringify(args[0])}`);
      await out.write(`ironlung ${require('../package.json').version} (${ironlung.backend})\n`);
      return 0;
    }
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      // `--help count` as `help count`, as git takes it; `--help --help` (and `help -h`)
      // asks for help about help: the overview.
      const words = args[0] === '--help' || args[0] === '-h' ? args.slice(1) : args;
      if (words.length === 0) {
        await out.write(overview());
        return 0;
      }
      const r = resolveCommand(words, true);
      if (r.rest.length) throw new UsageError(`${cmd} takes one command, got ${JSON.stringify(r.rest[0])} after ${JSON.stringify(r.name)}`);
      await out.write(r.group ? groupHelp(/** @type {'log'} */ (r.name)) : commandHelp(r.name));
      return 0;
    }
    const r = resolveCommand(argv);
    if (r.group) {
      await out.write(groupHelp(/** @type {'log'} */ (r.name)));
      return 0;
    }
    command = r.name;
    const parsed = parseCommand(command, COMMANDS[command].options(), r.rest);
    if (parsed.help) {
      await out.write(commandHelp(command));
      return 0;
    }
    return await COMMANDS[command].run(parsed.opts, parsed.rest);
  } catch (e) {
    if (e instanceof UsageError || (e && e.code === 'ERR_INVALID_ARG')) {
      const where = e.command ?? command;
      say(`ironlung: ${messageOf(e)}\nTry 'ironlung ${where ? `${where} ` : ''}--help'.\n`);
      return 2;
    }
    report(command ?? cmd, e);
    return 1;
  }
}

let finished = false;

// A reader that goes away (`ironlung count . | head`) ends the command quietly, with 0; any
// other failure to write stdout (a full disk) is reported, with 1.
process.stdout.on('error', (e) => {
  finished = true;
  if (e.code === 'EPIPE') process.exit(0);
  report('stdout', e);
  process.exit(1);
});
process.stderr.on('error', () => {});

// A promise that never settled would otherwise end the process quietly with status 0.
process.on('exit', () => {
  if (!finished) {
    say('ironlung: internal error: exited before the command finished\n');
    process.exitCode = 1;
  }
});

main(process.argv.slice(2))
  .then(async (code) => {
    await out.flush();
    finished = true;
    process.exitCode = code;
  })
  .catch((e) => {
    finished = true;
    say(`ironlung: internal error: ${e && e.stack}\n`);
    process.exitCode = 1;
  });
