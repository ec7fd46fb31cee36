// The crash scenario's writer (log-scenario.mjs): appends until killed, printing each
// acknowledged seq.
import { writeSync } from 'node:fs';
import il from 'ironlung';

const log = await il.openLog(process.argv[2], { durability: 'sync' });
let next = (await log.stats()).lastSeq + 1;
for (;;) {
  const seq = next++;
  await log.append(`record ${seq} ${'.'.repeat(seq % 500)}`);
  writeSync(1, `${seq}\n`);
}
