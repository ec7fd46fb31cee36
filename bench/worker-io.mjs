// The workers' side of the protocol bench/spawn-worker.mjs reads (bench/zstd-worker.mjs,
// bench/log-worker.mjs). It imports nothing, so that it adds nothing to what a worker
// measures (its peak RSS among it).

/** Reports one result to the driver. */
export const emit = (o) => process.stdout.write('@@bench ' + JSON.stringify(o) + '\n');

/** Runs a worker's `main`, then reports its CPU time; an error exits 1 with its stack. */
export function workerMain(main) {
  main()
    .then(() => {
      const u = process.resourceUsage();
      process.stdout.write(`@@cpu ${u.userCPUTime + u.systemCPUTime}\n`);
    })
    .catch((e) => {
      console.error(e && e.stack ? e.stack : e);
      process.exit(1);
    });
}
