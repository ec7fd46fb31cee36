// Measuring on a shared machine: before each measurement, wait while someone else's
// compiler runs or other processes keep the CPU busy, and record the CPU they used during it
// (/proc/stat), so that a report can say how disturbed each number was. Every benchmark here
// (bench/run.mjs, bench/zstd.mjs) measures through this one module.

import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Cores of other processes' CPU during a measurement that make it "disturbed". */
export const DISTURBED = 0.5;
const COMPILERS = 'cargo|rustc|cc1|cc1plus|ld|lld|wasm-bindgen|wasm-opt';
const compilerRunning = () => spawnSync('pgrep', ['-l', '-x', COMPILERS], { encoding: 'utf8' });
export const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** System-wide busy and steal CPU time so far, in ms (null where /proc/stat is missing). */
export function cpuStat() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return { busy: ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / CLK_TCK, steal: ((steal || 0) * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/**
 * The waiting of one run: up to `eachS` seconds before a measurement and `totalS` over the
 * run (`wait: false` turns it off); `probeMs` is how long one look at the CPU lasts; `name`
 * prefixes the log lines. `busy` counts the measurements that started with a compiler running.
 * @param {{ wait: boolean, eachS: number, totalS: number, probeMs: number, name: string, log: (s: string) => void }} o
 */
export function createQuiet({ wait, eachS, totalS, probeMs, name, log }) {
  const busy = { samples: 0, busy: 0, seen: new Set(), waitedS: 0 };
  /** Other processes' CPU use over the next `ms` milliseconds, in cores (this process sleeps). */
  function foreignNow(ms = probeMs) {
    const a = cpuStat();
    sleepMs(ms);
    const b = cpuStat();
    return a && b ? (b.busy - a.busy) / ms : 0;
  }
  /** Waits for a quiet CPU (within the limits), then notes whether a compiler still runs. */
  function sampleBusy() {
    if (wait) {
      const t0 = Date.now();
      const left = () => busy.waitedS + (Date.now() - t0) / 1000 < totalS && (Date.now() - t0) / 1000 < eachS;
      let why = '';
      while (left()) {
        if (compilerRunning().status === 0) why = 'a running compiler';
        else if (foreignNow() > DISTURBED) why = 'other processes using the CPU';
        else break;
        sleepMs(800);
      }
      const waited = (Date.now() - t0) / 1000;
      if (waited >= 1) log(`${name}: waited ${waited.toFixed(0)} s for ${why} to finish`);
      busy.waitedS += waited;
    }
    const r = compilerRunning();
    busy.samples++;
    if (r.status === 0) {
      busy.busy++;
      for (const l of r.stdout.trim().split('\n')) busy.seen.add(l.split(' ')[1]);
    }
  }
  return { busy, foreignNow, sampleBusy };
}

/**
 * Other processes' CPU during one child's run, in cores: call when the child starts; call
 * what it returns when the child ends, with the child's own CPU time in ms (null if unknown).
 * Each measured value is also pushed to `load`.
 * @param {number[]} load
 */
export function foreignMeter(load) {
  const stat0 = cpuStat();
  const t0 = performance.now();
  return (childCpuMs) => {
    const stat1 = cpuStat();
    const wall = performance.now() - t0;
    if (!stat0 || !stat1 || childCpuMs === null || wall <= 0) return { foreign: null, wall };
    const foreign = Math.max(0, (stat1.busy - stat0.busy - childCpuMs) / wall);
    load.push(foreign);
    return { foreign, wall };
  };
}
