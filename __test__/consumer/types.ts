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
