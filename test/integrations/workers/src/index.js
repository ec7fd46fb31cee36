// A Cloudflare Worker: POST { texts } and get token ids, counts and a zstd round trip back,
// with a dictionary trained in the worker (workerd's own zstd ignores a `dictionary`).
import {
  loadEncoding,
  compress,
  decompress,
  trainDictionary,
  frameInfo,
  ZstdDictionary,
  ZstdCompressionStream,
  ZstdDecompressionStream,
  backend,
} from 'ironlung';

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
async function dictionaries() {
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

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('POST { "texts": [...] }\n', { status: 405 });
    const { texts } = await request.json();
    const tokens = {};
    const counts = {};
    for (const name of ['cl100k_base', 'o200k_base']) {
      const enc = await loadEncoding(name);
      tokens[name] = texts.map((t) => Array.from(enc.encode(t)));
      counts[name] = texts.map((t) => enc.count(t));
    }
    const joined = texts.join('\n');
    const packed = compress(joined, { level: 9 });
    const again = new TextDecoder().decode(decompress(packed));
    // The same text streamed through zstd and back, as a response body would be.
    const body = new Blob([joined]).stream().pipeThrough(new ZstdCompressionStream()).pipeThrough(new ZstdDecompressionStream());
    const streamed = (await new Response(body).text()) === joined;
    return Response.json({ backend, tokens, counts, zstd: { bytes: packed.length, roundTrip: again === joined, streamed }, dictionary: await dictionaries() });
  },
};
