#!/usr/bin/env node
'use strict';
// The ironlung command line: token counts, truncation and zstd from the shell.
// Exit codes: 0 success, 1 an input failed, 2 bad usage.

const fs = require('node:fs');
const ironlung = require('../js/node.cjs');

const USAGE = `usage:
  ironlung count [--encoding E | --model M] [--max-bytes N] FILE... | -
  ironlung truncate --max-tokens N [--encoding E | --model M] FILE | -
  ironlung compress [--level L] IN OUT        (IN or OUT may be -)
  ironlung decompress [--max-output-bytes N] IN OUT
  ironlung --version | --help

The default encoding is o200k_base (GPT-4o, GPT-4.1, GPT-5, o-series).
Encodings: ${ironlung.listEncodings().join(', ')}. Backend: ${ironlung.backend}.`;

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
      if (!(name in spec)) throw new UsageError(`unknown option ${flag}`);
      const value = inline !== undefined ? inline : argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      opts[name] = spec[name] === 'int' ? toInt(flag, value) : value;
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

function count(argv) {
  const { opts, rest } = parse(argv, { encoding: 'str', model: 'str', 'max-bytes': 'int' });
  if (rest.length === 0) throw new UsageError('count needs at least one FILE (or - for stdin)');
  const enc = encodingOf(opts);
  const maxBytes = opts['max-bytes'] ?? 16 * 1024 * 1024;
  let total = 0;
  let failed = 0;
  const rows = [];
  for (const file of rest) {
    try {
      const n = enc.count(readText(file, maxBytes));
      total += n;
      rows.push([n, file]);
    } catch (e) {
      failed++;
      report(file, e);
    }
  }
  if (rest.length > 1) rows.push([total, 'total']);
  const width = Math.max(...rows.map(([n]) => String(n).length), 1);
  for (const [n, file] of rows) process.stdout.write(`${String(n).padStart(width)}  ${file}\n`);
  return failed ? 1 : 0;
}

function truncate(argv) {
  const { opts, rest } = parse(argv, { encoding: 'str', model: 'str', 'max-tokens': 'int', 'max-bytes': 'int' });
  if (opts['max-tokens'] === undefined) throw new UsageError('truncate needs --max-tokens N');
  if (opts['max-tokens'] < 0) throw new UsageError('--max-tokens must be 0 or more');
  if (rest.length !== 1) throw new UsageError('truncate takes exactly one FILE (or - for stdin)');
  const enc = encodingOf(opts);
  const text = readText(rest[0], opts['max-bytes'] ?? 16 * 1024 * 1024);
  process.stdout.write(enc.truncate(text, opts['max-tokens']));
  return 0;
}

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

function main(argv) {
  const [cmd, ...args] = argv;
  try {
    switch (cmd) {
      case 'count':
        return count(args);
      case 'truncate':
        return truncate(args);
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

process.exitCode = main(process.argv.slice(2));
