#!/usr/bin/env node
'use strict';
// The ironlung command line: token counts, context budgets, truncation, chunking and zstd
// from the shell. Exit codes: 0 success, 1 an input failed, 2 bad usage.

const fs = require('node:fs');
const path = require('node:path');
const ironlung = require('../js/node.cjs');
const { walk } = require('./walk.cjs');

const USAGE = `usage:
  ironlung count [options] PATH...             tokens per file, per extension and in total
      PATH is a file, a directory (walked, honouring .gitignore) or - for stdin
      --sort path|tokens|bytes   order of the file table (default path; tokens, bytes: largest first)
      --max-bytes N              skip files larger than N bytes (default ${ironlung.DEFAULT_MAX_BYTES})
      --json                     one JSON object: { encoding, files, skipped, byExtension, total }
      --no-ignore                do not apply .gitignore and .git/info/exclude
      --progress                 report progress on stderr (default: only when stderr is a terminal)
      --jobs N                   files read concurrently (default ${defaultJobs()}; 1 reads synchronously)
  ironlung truncate --max-tokens N [--from end|start|middle] [--marker TEXT] [--max-bytes N] FILE | -
  ironlung chunk --max-tokens N [--overlap K] [--boundary token|line|paragraph] [--max-bytes N] FILE | -
      prints one JSON line per chunk: {"index","start","end","tokens","text"}
      (truncate and chunk read up to 16 MiB unless --max-bytes says otherwise)
  ironlung read --max-tokens N [--truncate end|middle] [--max-bytes N] [--json] FILE
      prints the text that fits (summary on stderr), or with --json the whole result
  ironlung compress [--level L] IN OUT        (IN or OUT may be -)
  ironlung decompress [--max-output-bytes N] IN OUT
  ironlung --version | --help

Every command that counts takes --encoding E or --model M; the default encoding is
o200k_base (GPT-4o, GPT-4.1, GPT-5, o-series).
Encodings: ${ironlung.listEncodings().join(', ')}. Backend: ${ironlung.backend}.
Exit codes: 0 success (skipped binary or oversized files included), 1 an input failed,
2 bad usage.`;

// Measured on ~/.cargo/registry/src (see README): on the native backend, reading and
// counting off the JS thread (readForContext, several files in flight) is fastest; under
// wasm, decoding and counting run on the JS thread anyway and the synchronous loop wins.
function defaultJobs() {
  return ironlung.backend === 'native' ? 8 : 1;
}

/** Reading caps of truncate and chunk, which take one input. */
const SINGLE_INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** Reasons a file is left out of a count without that being an error. */
const SKIP_CODES = new Set(['ERR_BINARY_FILE', 'ERR_FILE_TOO_LARGE', 'ERR_NOT_REGULAR_FILE']);

class UsageError extends Error {}

function parse(argv, spec) {
  const opts = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [flag, inline] = a.split(/=(.*)/s, 2);
      const name = flag.slice(2);
      if (!Object.hasOwn(spec, name)) throw new UsageError(`unknown option ${flag}`);
      if (spec[name] === 'bool') {
        if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
        opts[name] = true;
        continue;
      }
      const value = inline !== undefined ? inline : argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (Array.isArray(spec[name])) {
        if (!spec[name].includes(value)) throw new UsageError(`${flag} must be one of ${spec[name].join(', ')}, got ${JSON.stringify(value)}`);
        opts[name] = value;
      } else {
        opts[name] = spec[name] === 'int' ? toInt(flag, value) : value;
      }
    } else {
      rest.push(a);
    }
  }
  return { opts, rest };
}

function toInt(flag, v) {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function atLeast(opts, name, min) {
  if (opts[name] !== undefined && opts[name] < min) throw new UsageError(`--${name} must be ${min} or more`);
  return opts[name];
}

function encodingOf(opts) {
  if (opts.encoding && opts.model) throw new UsageError('give --encoding or --model, not both');
  if (opts.model) return ironlung.encodingForModel(opts.model);
  return ironlung.getEncoding(opts.encoding || 'o200k_base');
}

function readStdin() {
  const chunks = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function readText(file, maxBytes) {
  if (file === '-') return ironlung.decodeText(readStdin(), { maxBytes });
  return ironlung.readTextFileSync(file, { maxBytes });
}

function report(file, e) {
  const code = e && e.code ? `${e.code}: ` : '';
  process.stderr.write(`ironlung: ${file}: ${code}${e && e.message}\n`);
}

// ---------------------------------------------------------------------------------- count

/** Progress on stderr: when stderr is a terminal, or always with --progress. */
function makeProgress(explicit) {
  const tty = process.stderr.isTTY === true;
  const on = explicit || tty;
  const start = Date.now();
  let last = start;
  let shown = false;
  return {
    update(message) {
      if (!on) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r\x1b[2K${message}` : `ironlung: ${message}\n`);
    },
    done(counted, skipped) {
      if (tty && shown) process.stderr.write('\r\x1b[2K');
      if (!explicit) return;
      const s = (Date.now() - start) / 1000;
      const all = counted + skipped;
      const rate = s > 0 ? `, ${Math.round(all / s)} files/s` : '';
      process.stderr.write(`ironlung: counted ${counted} files (${skipped} skipped) in ${s.toFixed(2)} s${rate}\n`);
    },
  };
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Rows of cells; every column but the last is right-aligned. */
function renderTable(header, rows) {
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < r.length; i++) if (r[i].length > widths[i]) widths[i] = r[i].length;
  const line = (r) => r.map((c, i) => (i === r.length - 1 ? c : c.padStart(widths[i]))).join('  ');
  let out = line(header) + '\n';
  for (const r of rows) out += line(r) + '\n';
  return out;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const byPath = (a, b) => cmp(a.path, b.path);

async function count(argv) {
  const { opts, rest } = parse(argv, {
    encoding: 'str',
    model: 'str',
    'max-bytes': 'int',
    sort: ['path', 'tokens', 'bytes'],
    json: 'bool',
    progress: 'bool',
    'no-ignore': 'bool',
    jobs: 'int',
  });
  if (rest.length === 0) throw new UsageError('count needs at least one PATH (a file, a directory, or - for stdin)');
  if (rest.filter((a) => a === '-').length > 1) throw new UsageError('- (stdin) may be given once');
  const maxBytes = atLeast(opts, 'max-bytes', 0) ?? ironlung.DEFAULT_MAX_BYTES;
  const jobs = atLeast(opts, 'jobs', 1) ?? defaultJobs();
  const sort = opts.sort || 'path';
  const enc = encodingOf(opts);
  const progress = makeProgress(opts.progress === true);

  const skipped = [];
  let failed = 0;
  const fail = (p, e) => {
    failed++;
    skipped.push({ path: p, code: (e && e.code) || 'EIO', message: String(e && e.message) });
    report(p, e);
  };

  // Gather the inputs: named files as given, directories walked; each file once.
  const inputs = [];
  const seen = new Set();
  const add = (p, named) => {
    const key = p === '-' ? '-' : path.resolve(p);
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push({ path: p, named });
  };
  for (const arg of rest) {
    if (arg === '-') {
      add('-', true);
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
      warn: (m) => process.stderr.write(`ironlung: warning: ${m}\n`),
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
  const files = [];
  let done = 0;
  const settle = (input, e) => {
    if (e && SKIP_CODES.has(e.code)) {
      skipped.push({ path: input.path, code: e.code, message: e.message });
      if (input.named) report(input.path, e);
    } else if (e) {
      fail(input.path, e);
    }
    done++;
    progress.update(`counted ${done} of ${inputs.length} files…`);
  };
  const countStdin = () => {
    const bytes = readStdin();
    return { tokens: enc.count(ironlung.decodeText(bytes, { maxBytes })), bytes: bytes.length };
  };
  if (jobs === 1) {
    for (const input of inputs) {
      try {
        let r;
        if (input.path === '-') r = countStdin();
        else {
          const bytes = fs.statSync(input.path).size;
          r = { tokens: enc.count(ironlung.readTextFileSync(input.path, { maxBytes })), bytes };
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
    const countFile = (p) => ironlung.readForContext(p, { maxBytes, encoding: enc.name });
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        try {
          const r = input.path === '-' ? countStdin() : await countFile(input.path);
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
    process.stdout.write(JSON.stringify(result) + '\n');
    return failed ? 1 : 0;
  }

  let out = '';
  if (files.length) {
    out += renderTable(
      ['tokens', 'bytes', 'path'],
      files.map((f) => [String(f.tokens), String(f.bytes), f.path]),
    );
    out += '\n';
    out += renderTable(
      ['files', 'tokens', 'bytes', 'extension'],
      extRows.map(([ext, e]) => [String(e.files), String(e.tokens), String(e.bytes), ext || '(none)']),
    );
    out += '\n';
  }
  out += `total: ${plural(total.files, 'file')}, ${plural(total.tokens, 'token')}, ${plural(total.bytes, 'byte')} (${enc.name})\n`;
  if (skipped.length) {
    const reasons = new Map();
    for (const s of skipped) reasons.set(s.code, (reasons.get(s.code) || 0) + 1);
    const list = [...reasons].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([code, n]) => `${n} ${code}`);
    out += `skipped: ${plural(skipped.length, 'file')} (${list.join(', ')})\n`;
  }
  process.stdout.write(out);
  return failed ? 1 : 0;
}

// ------------------------------------------------------------------ truncate, chunk, read

function truncate(argv) {
  const { opts, rest } = parse(argv, {
    encoding: 'str',
    model: 'str',
    'max-tokens': 'int',
    'max-bytes': 'int',
    from: ['end', 'start', 'middle'],
    marker: 'str',
  });
  if (opts['max-tokens'] === undefined) throw new UsageError('truncate needs --max-tokens N');
  atLeast(opts, 'max-tokens', 0);
  atLeast(opts, 'max-bytes', 0);
  if (rest.length !== 1) throw new UsageError('truncate takes exactly one FILE (or - for stdin)');
  const enc = encodingOf(opts);
  const options = {};
  if (opts.from !== undefined) options.from = opts.from;
  if (opts.marker !== undefined) options.marker = opts.marker;
  const text = readText(rest[0], opts['max-bytes'] ?? SINGLE_INPUT_MAX_BYTES);
  process.stdout.write(enc.truncate(text, opts['max-tokens'], options));
  return 0;
}

function chunk(argv) {
  const { opts, rest } = parse(argv, {
    encoding: 'str',
    model: 'str',
    'max-tokens': 'int',
    'max-bytes': 'int',
    overlap: 'int',
    boundary: ['token', 'line', 'paragraph'],
  });
  if (opts['max-tokens'] === undefined) throw new UsageError('chunk needs --max-tokens N');
  atLeast(opts, 'max-tokens', 1);
  atLeast(opts, 'overlap', 0);
  atLeast(opts, 'max-bytes', 0);
  if (opts.overlap !== undefined && opts.overlap >= opts['max-tokens']) throw new UsageError('--overlap must be less than --max-tokens');
  if (rest.length !== 1) throw new UsageError('chunk takes exactly one FILE (or - for stdin)');
  const enc = encodingOf(opts);
  const text = readText(rest[0], opts['max-bytes'] ?? SINGLE_INPUT_MAX_BYTES);
  const options = { maxTokens: opts['max-tokens'] };
  if (opts.overlap !== undefined) options.overlap = opts.overlap;
  if (opts.boundary !== undefined) options.boundary = opts.boundary;
  const chunks = enc.chunk(text, options);
  let out = '';
  chunks.forEach((c, index) => {
    out += JSON.stringify({ index, start: c.start, end: c.end, tokens: c.tokens, text: c.text }) + '\n';
  });
  process.stdout.write(out);
  return 0;
}

async function read(argv) {
  const { opts, rest } = parse(argv, {
    encoding: 'str',
    model: 'str',
    'max-tokens': 'int',
    'max-bytes': 'int',
    truncate: ['end', 'middle'],
    json: 'bool',
  });
  if (opts['max-tokens'] === undefined) throw new UsageError('read needs --max-tokens N');
  atLeast(opts, 'max-tokens', 0);
  atLeast(opts, 'max-bytes', 0);
  if (rest.length !== 1) throw new UsageError('read takes exactly one FILE');
  if (rest[0] === '-') throw new UsageError('read takes a file path, not - (use truncate for stdin)');
  const options = { maxTokens: opts['max-tokens'], encoding: encodingOf(opts).name };
  if (opts.truncate !== undefined) options.truncate = opts.truncate;
  if (opts['max-bytes'] !== undefined) options.maxBytes = opts['max-bytes'];
  const r = await ironlung.readForContext(rest[0], options);
  if (opts.json) {
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    process.stdout.write(r.text);
    process.stderr.write(
      `ironlung: ${rest[0]}: tokens=${r.tokens} truncated=${r.truncated} omittedTokens=${r.omittedTokens} bytes=${r.bytes} encoding=${r.encoding}\n`,
    );
  }
  return 0;
}

// ---------------------------------------------------------------------------------- zstd

function readAll(file) {
  return file === '-' ? readStdin() : new Uint8Array(fs.readFileSync(file));
}

function writeAll(file, bytes) {
  if (file === '-') fs.writeSync(1, bytes);
  else fs.writeFileSync(file, bytes);
}

function zstd(argv, which) {
  const spec = which === 'compress' ? { level: 'int' } : { 'max-output-bytes': 'int' };
  const { opts, rest } = parse(argv, spec);
  if (rest.length !== 2) throw new UsageError(`${which} takes IN and OUT`);
  const input = readAll(rest[0]);
  const out =
    which === 'compress'
      ? ironlung.compress(input, { level: opts.level })
      : ironlung.decompress(input, { maxOutputBytes: opts['max-output-bytes'] });
  writeAll(rest[1], out);
  return 0;
}

// ---------------------------------------------------------------------------------- main

async function main(argv) {
  const [cmd, ...args] = argv;
  try {
    switch (cmd) {
      case 'count':
        return await count(args);
      case 'truncate':
        return truncate(args);
      case 'chunk':
        return chunk(args);
      case 'read':
        return await read(args);
      case 'compress':
      case 'decompress':
        return zstd(args, cmd);
      case '--version':
      case '-V':
        process.stdout.write(`ironlung ${require('../package.json').version} (${ironlung.backend})\n`);
        return 0;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        throw new UsageError(cmd ? `unknown command ${JSON.stringify(cmd)}` : 'no command given');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ironlung: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e && e.code === 'ERR_INVALID_ARG') {
      process.stderr.write(`ironlung: ${e.message}\n`);
      return 2;
    }
    report(args[args.length - 1] || cmd, e);
    return 1;
  }
}

let finished = false;

// A reader that goes away (`ironlung count . | head`) is not an error worth a stack trace.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  finished = true;
  process.exit(process.exitCode ?? 0);
});

// A promise that never settled would otherwise end the process quietly with status 0.
process.on('exit', () => {
  if (!finished) {
    process.stderr.write('ironlung: internal error: exited before the command finished\n');
    process.exitCode = 1;
  }
});

main(process.argv.slice(2)).then((code) => {
  finished = true;
  process.exitCode = code;
});
