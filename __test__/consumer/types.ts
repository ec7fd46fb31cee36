// Type-checked (not run) against the shipped index.d.ts: the public API's types hold.
import il, {
  backend,
  compress,
  decompress,
  encodingForModel,
  getEncoding,
  IronlungError,
  readTextFile,
  type Backend,
  type Encoding,
  type ErrorCode,
} from 'ironlung';

const b: Backend = backend;
const enc: Encoding = getEncoding('cl100k_base');
const ids: Uint32Array = enc.encode('hi <|endoftext|>', { allowedSpecial: 'all' });
const n: number = enc.count('hi') + encodingForModel('gpt-4o').count('x');
const s: string = enc.decode(ids) + enc.truncate('hello', 1) + enc.decode([1, 2, 3]);
const bytes: Uint8Array = decompress(compress('x', { level: -1 }), { maxOutputBytes: 1024 });
const p: Promise<string> = readTextFile(new URL('file:///etc/hostname'), { maxBytes: 10 });
try {
  il.getEncoding('nope');
} catch (e) {
  if (e instanceof IronlungError) {
    const code: ErrorCode = e.code;
    console.log(code, e.message);
  }
}
// @ts-expect-error: maxTokens is required
enc.truncate('x');
// @ts-expect-error: tokens are numbers
enc.decode(['a']);
console.log(b, n, s, bytes, p);

// zstd beyond one-shot: dictionaries, frame info, streams (#15).
import {
  compressAsync,
  createZstdCompress,
  createZstdDecompress,
  frameInfo,
  trainDictionary,
  ZstdCompressionStream,
  ZstdDecompressionStream,
  ZstdDictionary,
  type FrameInfo,
} from 'ironlung';
const trained: Uint8Array = trainDictionary(['{"a":1}', new Uint8Array(3)], { maxBytes: 4096 });
const dict = new ZstdDictionary(trained, { level: 5 });
const id: number = dict.id;
const info: FrameInfo = frameInfo(compress('x', { dictionary: dict }));
const size: number | null = info.contentSize;
const later: Promise<Uint8Array> = compressAsync('x', { dictionary: trained });
const cs = new ZstdCompressionStream({ level: 3, checksum: false, dictionary: dict });
const flushed: Promise<void> = cs.flush();
const piped: ReadableStream<Uint8Array> = new Blob(['x']).stream().pipeThrough(cs).pipeThrough(new ZstdDecompressionStream({ maxOutputBytes: 1 << 20, dictionary: dict }));
createZstdCompress({ level: 1 }).flush(() => {});
createZstdCompress().flush(2, () => {});
createZstdDecompress({ maxOutputBytes: 10 });
// @ts-expect-error: node:zlib's option, refused: ironlung's cap is maxOutputBytes
createZstdDecompress({ maxOutputLength: 10 });
console.log(id, size, later, flushed, piped);

// The session log (#16).
import { openLog, type EventLog, type LogEntry } from 'ironlung';
async function agentLoop(): Promise<number> {
  const log: EventLog = await openLog('session.ilog', { durability: 'flush', compression: 9, dictionary: 'auto' });
  const seq: number = await log.append({ role: 'user', content: 'hi' });
  const seqs: number[] = await log.appendBatch(['a', new Uint8Array(2)]);
  await log.checkpoint({ turn: 1 }, { meta: { model: 'x' } });
  const last = await log.lastCheckpoint();
  for await (const e of log.entries({ from: last ? last.seq + 1 : 0 })) {
    const entry: LogEntry = e;
    console.log(entry.seq, entry.time, entry.data);
  }
  const { records, dictionaryId } = await log.stats();
  const report = await log.verify();
  await log.close();
  // @ts-expect-error: durability is one of three
  await openLog('x', { durability: 'fast' });
  return seq + seqs.length + records + (dictionaryId ?? 0) + report.damaged.length;
}
console.log(agentLoop);
