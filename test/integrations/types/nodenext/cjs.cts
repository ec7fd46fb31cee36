// A CommonJS module under NodeNext: resolves the `require` types (index.d.cts).
import il = require('ironlung');

const n: number = il.getEncoding('o200k_base').count('hello') + il.encodingForModel('gpt-4o').count('x');
const d: number = il.default.getEncoding("cl100k_base").count("x");
const e: typeof il.IronlungError = il.IronlungError;
// @ts-expect-error: tokens are numbers
il.getEncoding('o200k_base').decode(['a']);
console.log(n, d, e);
