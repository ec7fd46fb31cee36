// Runs one benchmark worker process (bench/zstd-worker.mjs, bench/log-worker.mjs): the
// drivers' side of the protocol whose workers' side is bench/worker-io.mjs. A worker prints
// "@@bench <json>" per result and "@@cpu <µs>" (its own CPU time) at the end; anything else
// on stdout is ignored.
import { spawn } from 'node:child_process';

/**
 * Runs `exe args...` in `cwd` without IRONLUNG_BACKEND (each worker sets its own backend) and
 * collects its results. A worker still running after `timeoutS` is killed.
 * @param {string} exe
 * @param {string[]} args
 * @param {{ cwd: string, timeoutS: number }} options
 * @returns {Promise<{ results: any[], childCpuMs: number | null, error: string | null }>}
 */
export function spawnWorker(exe, args, { cwd, timeoutS }) {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.IRONLUNG_BACKEND;
    const child = spawn(exe, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const results = [];
    let childCpuMs = null;
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (d) => {
      out += d;
      let i;
      while ((i = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        if (line.startsWith('@@bench ')) results.push(JSON.parse(line.slice(8)));
        else if (line.startsWith('@@cpu ')) childCpuMs = Number(line.slice(6)) / 1000;
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = err.split('\n').map((l) => l.trim()).filter(Boolean);
      const error = timedOut ? `timed out after ${timeoutS} s` : code !== 0 ? lines.find((l) => /Error\b.*:/.test(l)) || lines.pop() || `exit ${code}` : null;
      resolve({ results, childCpuMs, error });
    });
  });
}

