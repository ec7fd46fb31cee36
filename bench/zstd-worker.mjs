// One zstd measurement in a fresh process, for bench/zstd.mjs:
//
//   node bench/zstd-worker.mjs <mode> <impl> '<json options>'
//
// Prints "@@bench <json>" per result and "@@cpu <µs>" (its own CPU time) at the end.
// Modes:
//   oneshot   compress the data (warm-up, then `rounds` timed calls), check the round trip,
//             decompress a reference frame `rounds` times
//   stream    the same through the implementation's streaming API, 64 KiB chunks in
//   records   compressed size and µs per record of small records, without and with a dictionary
//   rss       stream `bytes` bytes (the transcript repeated) through compress or decompress,
//             never holding them; report process.resourceUsage().maxRSS
//   train     ironlung's trainDictionary on the held-out records (where the build has it)
//   probe     what the implementation offers (and its version)
// IRONLUNG_BENCH_ENTRY=<path to js/node.bundle.cjs or js/node.cjs> measures another ironlung build (another worktree).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { emit, workerMain } from './worker-io.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const require = createRequire(path.join(BENCH_DIR, 'package.json'));
const [mode, implName, optsJson = '{}'] = process.argv.slice(2);
const opts = JSON.parse(optsJson);
const CHUNK = 64 << 10;
const now = () => performance.now();
const gc = globalThis.gc || (() => {});
const pkgVersion = (p) => JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', p, 'package.json'), 'utf8')).version;

/** A node:stream Transform around a push-style decoder (fzstd's Decompress). */
function pushTransform(make) {
  let dec;
  return new Transform({
    construct(cb) {
      dec = make((chunk) => this.push(chunk));
      cb();
    },
    transform(chunk, _enc, cb) {
      try {
        dec.push(chunk);
        cb();
      } catch (e) {
        cb(e);
      }
    },
    flush(cb) {
      try {
        dec.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(e);
      }
    },
  });
}

/**
 * name -> { version, compress?(buf, level), decompress?(buf), async?, compressStream?(level),
 * decompressStream?(), dict?: { prepare(dictBytes, level) -> { compress(rec), decompress(frame), note } } }
 */
async function loadImpl(name) {
  if (name === 'ironlung-native' || name === 'ironlung-wasm') {
    const backend = name.slice(9);
    process.env.IRONLUNG_BACKEND = backend;
    // IRONLUNG_BENCH_ENTRY: another build's js/node.cjs (e.g. a branch's worktree) to measure
    const il = require(process.env.IRONLUNG_BENCH_ENTRY || path.join(ROOT, 'js', 'node.bundle.cjs'));
    if (il.backend !== backend) throw new Error(`ironlung loaded the ${il.backend} backend, not ${backend}`);
    const BIG = 2 ** 50;
    const hasDict = typeof il.trainDictionary === 'function' && typeof il.ZstdDictionary === 'function';
    return {
      version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version + (process.env.IRONLUNG_BENCH_ENTRY ? ` (from ${process.env.IRONLUNG_BENCH_ENTRY})` : ''),
      compress: (b, level) => il.compress(b, { level }),
      decompress: (b) => il.decompress(b, { maxOutputBytes: BIG }),
      compressStream: (level) => il.createZstdCompress({ level }),
      decompressStream: () => il.createZstdDecompress({ maxOutputBytes: BIG }),
      train: hasDict ? (samples, maxBytes) => il.trainDictionary(samples, { maxBytes }) : null,
      dict: hasDict
        ? {
            note: '`new ZstdDictionary(bytes, { level })`, `compress(rec, { dictionary })`, `decompress(frame, { dictionary })`',
            prepare(bytes, level) {
              const d = new il.ZstdDictionary(bytes, { level });
              return { compress: (r) => il.compress(r, { dictionary: d }), decompress: (f) => il.decompress(f, { dictionary: d, maxOutputBytes: BIG }) };
            },
          }
        : null,
      dictAbsent: hasDict ? null : 'dictionary API not in this build',
    };
  }
  if (name === 'node-zlib') {
    const zlib = await import('node:zlib');
    if (typeof zlib.zstdCompressSync !== 'function') throw new Error(`node:zlib has no zstd in Node ${process.version}`);
    const C = zlib.constants;
    const p = (level) => ({ params: { [C.ZSTD_c_compressionLevel]: level } });
    // zstdCompressSync with `dictionary` (Node 24.6+): no prepared-dictionary object in the
    // API, so each call loads the dictionary into a fresh context.
    let dictOk = false;
    try {
      const d = Buffer.from('abcdefgh'.repeat(64));
      dictOk = zlib.zstdDecompressSync(zlib.zstdCompressSync(Buffer.from('abcdefgh'), { ...p(3), dictionary: d }), { dictionary: d }).toString() === 'abcdefgh';
    } catch {}
    return {
      version: `Node ${process.version}`,
      compress: (b, level) => zlib.zstdCompressSync(b, p(level)),
      decompress: (b) => zlib.zstdDecompressSync(b, { maxOutputLength: 2 ** 31 }),
      compressStream: (level) => zlib.createZstdCompress(p(level)),
      decompressStream: () => zlib.createZstdDecompress(),
      dict: dictOk
        ? {
            note: '`zstdCompressSync(rec, { dictionary, params })` / `zstdDecompressSync(frame, { dictionary })`: the dictionary is loaded again on every call (the API has no prepared dictionary)',
            prepare(bytes, level) {
              const dictionary = Buffer.from(bytes);
              return { compress: (r) => zlib.zstdCompressSync(r, { ...p(level), dictionary }), decompress: (f) => zlib.zstdDecompressSync(f, { dictionary }) };
            },
          }
        : null,
      dictAbsent: dictOk ? null : `no dictionary option in Node ${process.version}`,
    };
  }
  if (name === 'zstd-napi') {
    const z = require('zstd-napi');
    const cmp = new z.Compressor();
    let lastLevel = null;
    return {
      version: pkgVersion('zstd-napi'),
      compress: (b, level) => {
        if (level !== lastLevel) cmp.setParameters({ compressionLevel: (lastLevel = level) });
        return cmp.compress(b);
      },
      decompress: (b) => z.decompress(b),
      compressStream: (level) => new z.CompressStream({ compressionLevel: level }),
      decompressStream: () => new z.DecompressStream(),
      dict: {
        note: '`Compressor`/`Decompressor` with `loadDictionary(bytes)` (zstd keeps the digested dictionary between calls)',
        prepare(bytes, level) {
          const c = new z.Compressor();
          c.setParameters({ compressionLevel: level });
          c.loadDictionary(bytes);
          const d = new z.Decompressor();
          d.loadDictionary(bytes);
          return { compress: (r) => c.compress(r), decompress: (f) => d.decompress(f) };
        },
      },
    };
  }
  if (name === 'mongodb-zstd') {
    const z = require('@mongodb-js/zstd');
    return {
      version: pkgVersion('@mongodb-js/zstd'),
      async: true,
      compress: (b, level) => z.compress(Buffer.from(b.buffer, b.byteOffset, b.byteLength), level),
      decompress: (b) => z.decompress(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      dictAbsent: 'no dictionary API',
    };
  }
  if (name === 'bokuweb-wasm') {
    const z = require('@bokuweb/zstd-wasm');
    await z.init();
    return {
      version: pkgVersion('@bokuweb/zstd-wasm'),
      compress: (b, level) => z.compress(b, level),
      decompress: (b) => z.decompress(b),
      dict: {
        note: '`compressUsingDict(cctx, rec, dict, level)` / `decompressUsingDict(dctx, frame, dict)` with one reused context: the only dictionary API, it copies and digests the dictionary on every call',
        prepare(bytes, level) {
          const cctx = z.createCCtx();
          const dctx = z.createDCtx();
          return { compress: (r) => z.compressUsingDict(cctx, r, bytes, level), decompress: (f) => z.decompressUsingDict(dctx, f, bytes) };
        },
      },
    };
  }
  if (name === 'fzstd') {
    const z = require('fzstd');
    return {
      version: pkgVersion('fzstd'),
      decompress: (b) => z.decompress(b),
      decompressStream: () => pushTransform((ondata) => new z.Decompress((chunk) => ondata(chunk))),
      dictAbsent: 'no dictionary support (decompression only)',
    };
  }
  if (name === 'baseline') return { version: process.version };
  throw new Error(`unknown implementation ${name}`);
}

const chunksOf = (buf, size = CHUNK) => {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, Math.min(buf.length, i + size)));
  return out;
};

/** Streams `chunks` through `t`; resolves with the output (joined when `keep`) and its length. */
async function streamThrough(t, chunks, keep) {
  const parts = [];
  let n = 0;
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    t,
    new Writable({
      highWaterMark: CHUNK,
      write(chunk, _enc, cb) {
        n += chunk.length;
        if (keep) parts.push(chunk);
        cb();
      },
    }),
  );
  return { bytes: n, out: keep ? Buffer.concat(parts) : null };
}

const same = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

async function throughput(impl, streaming) {
  const data = fs.readFileSync(opts.data).subarray(0, opts.limit);
  const ref = fs.readFileSync(opts.ref); // the zstd CLI's frame of the same bytes, same level
  const warm = data.subarray(0, Math.min(data.length, 1 << 20));
  const level = opts.level;
  const res = { level, bytes: data.length, refBytes: ref.length };
  const run = async (fn, rounds = opts.rounds) => {
    const ms = [];
    let out;
    gc();
    for (let i = 0; i < rounds; i++) {
      const t0 = now();
      out = await fn(!streaming);
      ms.push(now() - t0);
      gc();
    }
    return { ms, out };
  };
  let compressFn = null;
  let decompressFn = null;
  if (streaming) {
    // timed runs count the output without keeping it; the check runs keep it
    if (impl.compressStream) compressFn = async (b, keep = true) => (await streamThrough(impl.compressStream(level), chunksOf(b), keep)).out;
    if (impl.decompressStream) decompressFn = async (b, keep = true) => (await streamThrough(impl.decompressStream(), chunksOf(b), keep)).out;
  } else {
    if (impl.compress) compressFn = impl.async ? (b) => impl.compress(b, level) : async (b) => impl.compress(b, level);
    if (impl.decompress) decompressFn = impl.async ? (b) => impl.decompress(b) : async (b) => impl.decompress(b);
  }
  if (compressFn) {
    // warm-up: 1 MiB for at least warmMs
    const t0 = now();
    do await compressFn(warm, false);
    while (now() - t0 < opts.warmMs);
    let { ms, out } = await run((keep) => compressFn(data, keep));
    if (streaming) out = await compressFn(data, true);
    res.compress = { ms, mbps: ms.map((t) => data.length / 1e3 / t), outBytes: out.length };
    // the round trip, through the reference decoder's result: decompress our frame with our own
    // decompressor where there is one, else with the one-shot one of ironlung via the check file
    const dec = decompressFn ? await decompressFn(out) : null;
    if (dec && !same(dec, data)) throw new Error('round trip through compress and decompress differs from the input');
    res.roundTrip = dec ? 'own decompressor' : 'not checked here';
    if (opts.saveOut) fs.writeFileSync(opts.saveOut, out);
  }
  if (decompressFn) {
    const t0 = now();
    do await decompressFn(ref, false);
    while (now() - t0 < opts.warmMs);
    // decompression is quick: more rounds, for a steadier median
    let { ms, out } = await run((keep) => decompressFn(ref, keep), opts.decRounds);
    if (streaming) out = await decompressFn(ref, true);
    if (!same(out, data)) throw new Error('decompressing the reference frame gave other bytes than the input');
    res.decompress = { ms, mbps: ms.map((t) => data.length / 1e3 / t) };
  }
  emit(res);
}

async function records(impl) {
  const { recordsOf } = await import('./agentdata.mjs');
  const all = recordsOf(fs.readFileSync(opts.data));
  const recs = all.slice(0, opts.maxRecords);
  const dict = opts.dict ? new Uint8Array(fs.readFileSync(opts.dict)) : null;
  const level = opts.level;
  const inBytes = recs.reduce((s, r) => s + r.length, 0);
  const res = { records: recs.length, inBytes, level };
  // µs per record: `rounds` passes over `timedRecords` records, each pass timed as one loop
  const timed = recs.slice(0, opts.timedRecords);
  const perRecord = async (fn, inputs) => {
    const t0 = now();
    let n = 0;
    while (now() - t0 < opts.warmMs) for (const r of inputs.slice(0, 200)) fn(r), n++;
    const us = [];
    for (let k = 0; k < opts.rounds; k++) {
      gc();
      const t1 = now();
      if (impl.async) for (const r of inputs) await fn(r);
      else for (const r of inputs) fn(r);
      us.push(((now() - t1) * 1000) / inputs.length);
    }
    return us;
  };
  const sizeOf = async (fn) => {
    let n = 0;
    for (const r of recs) n += (await fn(r)).length;
    return n;
  };
  if (impl.compress) {
    const c = (r) => impl.compress(r, level);
    res.plain = { outBytes: await sizeOf(c) };
    const frames = [];
    for (const r of timed) frames.push(await c(r));
    res.plain.compressUs = await perRecord(c, timed);
    if (impl.decompress) {
      for (let i = 0; i < 20 && i < frames.length; i++) if (!same(await impl.decompress(frames[i]), timed[i])) throw new Error('record round trip failed');
      res.plain.decompressUs = await perRecord((f) => impl.decompress(f), frames);
    }
  }
  if (dict && impl.dict) {
    const t0 = now();
    const p = impl.dict.prepare(dict, level);
    res.prepareMs = now() - t0;
    res.dictNote = impl.dict.note;
    res.withDict = { outBytes: await sizeOf((r) => p.compress(r)) };
    const frames = timed.map((r) => p.compress(r));
    for (let i = 0; i < 20 && i < frames.length; i++) if (!same(p.decompress(frames[i]), timed[i])) throw new Error('record round trip with the dictionary failed');
    res.withDict.compressUs = await perRecord((r) => p.compress(r), timed);
    res.withDict.decompressUs = await perRecord((f) => p.decompress(f), frames);
  } else if (dict) res.dictAbsent = impl.dictAbsent || 'no dictionary API';
  emit(res);
}

async function train(impl) {
  if (!impl.train) return emit({ absent: impl.dictAbsent || 'no trainer' });
  const { recordsOf } = await import('./agentdata.mjs');
  const samples = recordsOf(fs.readFileSync(opts.heldout)).map((r) => new Uint8Array(r));
  const t0 = now();
  const d = impl.train(samples, opts.maxBytes);
  const ms = now() - t0;
  fs.writeFileSync(opts.out, d);
  emit({ bytes: d.length, ms, samples: samples.length });
}

/** The transcript repeated until `bytes`, as 64 KiB chunks (or the reference frame repeated). */
function* repeated(buf, bytes) {
  let sent = 0;
  while (sent < bytes) {
    for (let i = 0; i < buf.length && sent < bytes; i += CHUNK) {
      const c = buf.subarray(i, Math.min(buf.length, i + CHUNK, i + (bytes - sent)));
      sent += c.length;
      yield c;
    }
  }
}

async function rss(impl) {
  const src = fs.readFileSync(opts.op === 'decompress' ? opts.ref : opts.data);
  // decompress: whole frames only, so that the concatenation is a valid stream of frames
  const bytes = opts.op === 'decompress' ? Math.ceil(opts.bytes / fs.statSync(opts.data).size) * src.length : opts.bytes;
  const t = implName === 'baseline' ? new Transform({ transform: (c, _e, cb) => cb(null, c) }) : opts.op === 'decompress' ? impl.decompressStream() : impl.compressStream(opts.level);
  const t0 = now();
  let out = 0;
  await pipeline(
    Readable.from(repeated(src, bytes)),
    t,
    new Writable({
      write(chunk, _e, cb) {
        out += chunk.length;
        cb();
      },
    }),
  );
  const ms = now() - t0;
  emit({ op: opts.op, inBytes: bytes, outBytes: out, ms, maxRSS: process.resourceUsage().maxRSS * 1024, heapUsed: process.memoryUsage().heapUsed });
}

async function main() {
  const impl = await loadImpl(implName);
  if (mode === 'probe')
    emit({
      version: impl.version,
      compress: !!impl.compress,
      decompress: !!impl.decompress,
      compressStream: !!impl.compressStream,
      decompressStream: !!impl.decompressStream,
      dict: !!impl.dict,
      dictAbsent: impl.dictAbsent ?? null,
      train: !!impl.train,
    });
  else if (mode === 'oneshot') await throughput(impl, false);
  else if (mode === 'stream') await throughput(impl, true);
  else if (mode === 'records') await records(impl);
  else if (mode === 'train') await train(impl);
  else if (mode === 'rss') await rss(impl);
  else throw new Error(`unknown mode ${mode}`);
}

workerMain(main);
