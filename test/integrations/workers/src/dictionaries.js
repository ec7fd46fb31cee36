// The worker's dictionary checks (src/index.js returns them): a dictionary trained,
// prepared and used in the worker, one-shot and streamed. workerd's own zstd ignores a
// `dictionary`, which is why ironlung's is tested here.
import { compress, decompress, trainDictionary, frameInfo, ZstdDictionary, ZstdCompressionStream, ZstdDecompressionStream } from 'ironlung';

/** The error code `f` throws, or the promise it returns rejects with; null for none. */
async function codeOf(f) {
  try {
    await f();
    return null;
  } catch (e) {
    return e.code ?? String(e);
  }
}

/** Small tool-call records, a dictionary trained on them, and what it does. */
export async function dictionaries() {
  const records = Array.from({ length: 600 }, (_, i) => JSON.stringify({ type: 'tool_call', id: `call_${i}`, tool: ['grep', 'read_file', 'run'][i % 3], args: { path: `src/m${i % 41}.rs` } }));
  const dict = new ZstdDictionary(trainDictionary(records.slice(0, 500), { maxBytes: 4096 }), { level: 3 });
  const held = records.slice(500);
  const plain = held.reduce((n, r) => n + compress(r).length, 0);
  const packed = held.map((r) => compress(r, { dictionary: dict }));
  const withDict = packed.reduce((n, f) => n + f.length, 0);
  const roundTrip = packed.every((f, i) => new TextDecoder().decode(decompress(f, { dictionary: dict })) === held[i]);
  const body = new Blob([held.join('\n')]).stream().pipeThrough(new ZstdCompressionStream({ dictionary: dict }));
  const streamedFrame = new Uint8Array(await new Response(body).arrayBuffer());
  const back = new Blob([streamedFrame]).stream().pipeThrough(new ZstdDecompressionStream({ dictionary: dict }));
  return {
    id: dict.id,
    frameDictionaryId: frameInfo(packed[0]).dictionaryId,
    streamedDictionaryId: frameInfo(streamedFrame).dictionaryId,
    smaller: plain / withDict,
    roundTrip,
    streamed: (await new Response(back).text()) === held.join('\n'),
    withoutIt: await codeOf(() => decompress(packed[0])),
    streamWithoutIt: await codeOf(() => new Response(new Blob([streamedFrame]).stream().pipeThrough(new ZstdDecompressionStream())).text()),
    overCap: await codeOf(() => new Response(new Blob([streamedFrame]).stream().pipeThrough(new ZstdDecompressionStream({ dictionary: dict, maxOutputBytes: 100 }))).text()),
  };
}

