// The same under the CommonJS types (index.d.cts).
import il = require('ironlung');

export function wrapper(level: number | undefined, maxTokens: number | undefined): number {
  const enc = il.getEncoding('o200k_base');
  const packed = il.compress('x', { level });
  const chunks = enc.chunk('x y', { maxTokens: 1, overlap: maxTokens });
  const first = chunks[0];
  return packed.length + (first ? first.tokens : 0);
}
