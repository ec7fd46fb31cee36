// tokens.worker.js
import { loadEncoding } from 'ironlung';
const enc = loadEncoding('o200k_base');   // starts loading now; no top-level await
onmessage = async (e) => postMessage((await enc).count(e.data));
