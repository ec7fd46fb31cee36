// The exit scenario's writer (log-scenario.mjs): awaited `'none'` appends, then an exit
// straight after the last one resolved, before the event loop turns (with `close`: after a
// close() that is not awaited): the exit writes them.
//   log-exit.mjs PATH N process|deno [close]
import il from 'ironlung';

const [path, n, how, then] = process.argv.slice(2);
const log = await il.openLog(path, { durability: 'none' });
for (let i = 1; i <= Number(n); i++) await log.append({ i, text: `event ${i}` });
if (then === 'close') log.close();
if (how === 'deno') globalThis.Deno.exit(0);
else process.exit(0);
