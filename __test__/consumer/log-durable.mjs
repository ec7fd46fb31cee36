// The durability scenario's writer (log-scenario.mjs), run under strace: `'sync'` appends,
// each followed, once it resolved, by a mark written to a file of its own.
//   log-durable.mjs PATH MARKS N
import { closeSync, openSync, writeSync } from 'node:fs';
import il from 'ironlung';

const [path, marks, n] = process.argv.slice(2);
const log = await il.openLog(path, { durability: 'sync', dictionary: false });
const fd = openSync(marks, 'w');
for (let i = 1; i <= Number(n); i++) writeSync(fd, `ack ${await log.append({ i, text: 'x'.repeat(i * 100) })}`);
closeSync(fd);
await log.close();
