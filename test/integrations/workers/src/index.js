// A Cloudflare Worker: POST { texts } and get token ids, counts and a zstd round trip back.
import { loadEncoding, compress, decompress, ZstdCompressionStream, ZstdDecompressionStream, backend } from 'ironlung';
import { dictionaries } from './dictionaries.js'; // the test's checks of a dictionary trained in the worker

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
