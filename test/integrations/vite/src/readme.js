// The README's browser example, verbatim below; `file` is the File the page put on window.
import { loadEncoding, decodeText } from 'ironlung';

const enc = await loadEncoding('cl100k_base');           // fetches cl100k_base.wasm once
const text = decodeText(new Uint8Array(await file.arrayBuffer()));   // a File from an <input>
console.log(enc.count(text));
