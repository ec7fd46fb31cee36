// An ES module under NodeNext: resolves the `import` types (index.d.mts).
import il, { backend, compress, decompress, getEncoding, loadEncoding, IronlungError, nativeLoadErrors, type Backend, type Encoding, type ErrorCode } from 'ironlung';

const b: Backend = backend;
const enc: Encoding = getEncoding('cl100k_base');
const ids: Uint32Array = enc.encode('hi <|endoftext|>', { allowedSpecial: 'all' });
const bytes: Uint8Array = decompress(compress('x', { level: -1 }), { maxOutputBytes: 1024 });
const byModel: Promise<Encoding> = loadEncoding('gpt-4o');
const why: readonly string[] = nativeLoadErrors;
try {
  il.getEncoding('nope');
} catch (e) {
  if (e instanceof IronlungError) {
    const code: ErrorCode = e.code;
    const unavailable: ErrorCode = 'ERR_ASSET_UNAVAILABLE';
    console.log(code === unavailable, e.message);
  }
}
// @ts-expect-error: maxTokens is required
enc.truncate('x');
console.log(b, ids, bytes, byModel, why);
