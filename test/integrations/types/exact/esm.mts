// exactOptionalPropertyTypes: an option given as `undefined` is not the same type as one left
// out, and ironlung's runtime takes both as "the default" everywhere. Wrappers that pass their
// own optional settings on (`{ level: opts.level }`) must type-check.
import {
  compress, compressAsync, createZstdCompress, createZstdDecompress, decodeText, decompress, decompressAsync,
  getEncoding, openLog, readForContext, readTextFile, readTextFileSync, trainDictionary,
  ZstdCompressionStream, ZstdDecompressionStream, ZstdDictionary, type Chunk,
} from 'ironlung';

interface Settings {
  level?: number | undefined;
  maxBytes?: number | undefined;
  maxTokens?: number | undefined;
  from?: 'end' | 'start' | 'middle' | undefined;
}

export async function wrapper(s: Settings, text: string): Promise<number> {
  const enc = getEncoding('o200k_base');
  enc.encode(text, { allowedSpecial: undefined, disallowedSpecial: undefined });
  const cut: string = enc.truncate(text, 10, { from: s.from, marker: undefined });
  const chunks: Chunk[] = enc.chunk(text, { maxTokens: 10, overlap: s.maxTokens, boundary: undefined });
  const first = chunks[0];
  const packed = compress(cut, { level: s.level, dictionary: undefined });
  decompress(packed, { maxOutputBytes: s.maxBytes, dictionary: undefined });
  await compressAsync(cut, { level: s.level });
  await decompressAsync(packed, { maxOutputBytes: s.maxBytes });
  const dict = new ZstdDictionary(trainDictionary([text], { maxBytes: s.maxBytes }), { level: s.level });
  new ZstdCompressionStream({ level: s.level, checksum: undefined, dictionary: dict, pledgedSrcSize: undefined });
  new ZstdDecompressionStream({ maxOutputBytes: s.maxBytes, dictionary: undefined });
  createZstdCompress({ level: s.level });
  createZstdDecompress({ maxOutputBytes: s.maxBytes });
  decodeText(packed, { maxBytes: s.maxBytes });
  await readTextFile('notes.md', { maxBytes: s.maxBytes });
  readTextFileSync('notes.md', { maxBytes: s.maxBytes });
  const ctx = await readForContext('notes.md', { maxBytes: s.maxBytes, maxTokens: s.maxTokens, encoding: undefined, model: undefined, truncate: undefined });
  const log = await openLog('session.ilog', { durability: undefined, compression: s.level, dictionary: undefined, create: undefined, readOnly: undefined, onCorrupt: undefined });
  await log.checkpoint({ turn: 1 }, { meta: undefined });
  for await (const e of log.entries({ from: s.maxTokens, to: undefined })) console.log(e.seq);
  await log.close();
  // What the runtime refuses stays refused.
  // @ts-expect-error: a level is a number
  compress(cut, { level: 'high' });
  // @ts-expect-error: durability is one of three
  await openLog('x', { durability: 'fast' });
  return ctx.tokens + (first ? first.tokens : 0);
}

// countChat takes messages as OpenAI's SDK types them: a reply (ChatCompletionMessage) put back
// into the conversation has `content: string | null` and `function_call?: ... | null`, and the
// runtime reads null as absent in every optional field.
import { countChat, type ChatMessage } from 'ironlung';
interface SdkReply {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  function_call?: { name: string; arguments: string } | null;
  tool_calls?: Array<
    | { id: string; type: 'function'; function: { name: string; arguments: string } }
    | { id: string; type: 'custom'; custom: { name: string; input: string } }
  >;
}
// The SDK's ChatCompletionTool: a function tool or a custom one, whose format is a grammar.
type SdkTool =
  | { type: 'function'; function: { name: string; description?: string; parameters?: { [key: string]: unknown } } }
  | { type: 'custom'; custom: { name: string; description?: string; format?: { type: 'text' } | { type: 'grammar'; grammar: { definition: string; syntax: 'lark' | 'regex' } } } };
export function chat(reply: SdkReply, tools: SdkTool[]): number {
  const history: ChatMessage[] = [{ role: 'user', content: 'hi', name: undefined }, reply];
  return countChat(history, { model: 'gpt-4o', tools: undefined }) + countChat(history, { model: 'gpt-5', tools });
}

// readForContext's encoding takes what getEncoding takes, 'gpt2' (r50k_base) included.
export const gpt2: Promise<unknown> = readForContext('notes.md', { encoding: 'gpt2' });
