// A Node-only project: Node's types and no DOM lib, as a server or CLI agent has. The
// declarations must not need the DOM's WebAssembly or BufferSource to type-check.
import { readFileSync } from 'node:fs';
import { init, loadEncoding, openLog, compress, type Encoding } from 'ironlung';

await init(readFileSync(new URL('./node_modules/ironlung/assets/ironlung.wasm', import.meta.url)));
const enc: Encoding = await loadEncoding('o200k_base', new Uint8Array(0).buffer);
const log = await openLog('session.log', { durability: 'flush' });
await log.append({ role: 'user', content: 'hi', tokens: enc.count('hi') });
await log.close();
console.log(compress('x').length);
