// The system calls of a process run under strace (`-f -y`), for the session log's durability
// tests: __test__/log-syscalls.test.mjs on the backend under test, and log-scenario.mjs in the
// installed package under each runtime. A kill cannot tell a synced write from one left in the
// page cache, so only the calls show that a 'sync' append is on stable storage when it resolves.
// The process under test marks each step by writing a line to a file of its own, synchronously.

/** The calls traced: opens, writes, syncs, renames and truncations. */
export const TRACED = 'openat,pwrite64,pwritev,pwritev2,write,writev,fdatasync,fsync,rename,renameat,renameat2,ftruncate';

/**
 * strace's arguments to trace a command and its threads into `out`.
 * @param {string} out
 * @param {string} [traced] the calls traced (default TRACED)
 */
export const straceArgs = (out, traced = TRACED) => ['-f', '-y', '-qq', '-e', `trace=${traced}`, '-o', out];

/**
 * @typedef {{ call: string, args: string, ret: string }} Call one completed system call,
 *   in the order the calls completed
 */

/**
 * Parses strace's `-f -y` output: a call cut by another thread's (`<unfinished ...>`) counts
 * where it resumed, which is where it completed.
 * @param {string} text
 * @returns {Call[]}
 */
export function parseTrace(text) {
  /** @type {Map<string, { call: string, args: string }>} */
  const open = new Map();
  /** @type {Call[]} */
  const calls = [];
  for (const line of text.split('\n')) {
    let m = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/.exec(line);
    if (m) {
      open.set(m[1], { call: m[2], args: m[3] });
      continue;
    }
    m = /^(\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+= (.*)$/.exec(line);
    if (m) {
      const begun = open.get(m[1]);
      open.delete(m[1]);
      calls.push({ call: m[2], args: (begun ? begun.args : '') + m[3], ret: m[4] });
      continue;
    }
    m = /^(\d+)\s+(\w+)\((.*)\)\s+= (.*)$/.exec(line);
    if (m) calls.push({ call: m[2], args: m[3], ret: m[4] });
  }
  return calls;
}

/**
 * Whether call `c` is on the file `p`: through a descriptor of it (with -y, an fd prints as
 * `21</path>`), or naming it (open, rename).
 * @param {string} p
 * @returns {(c: Call) => boolean}
 */
export const on = (p) => (c) =>
  c.args.startsWith(`${/^\d+/.exec(c.args)?.[0]}<${p}>`) || ((c.call.startsWith('rename') || c.call === 'openat') && c.args.includes(`"${p}"`));

/**
 * The calls on any of `paths`, in the order they completed.
 * @param {Call[]} calls
 * @param {string[]} paths
 */
export const callsOn = (calls, paths) => calls.filter((c) => paths.some((p) => on(p)(c)));

/** @param {Call} c */
export const isWrite = (c) => /^pwrite/.test(c.call) || c.call === 'write' || c.call === 'writev';
/** @param {Call} c */
export const isSync = (c) => c.call === 'fdatasync' || c.call === 'fsync';
/** @param {Call} c */
export const fdOf = (c) => /^(\d+)</.exec(c.args)?.[1];

/**
 * The fds opened on `path` with O_DSYNC or O_SYNC: each write through them is synchronised.
 * @param {Call[]} calls
 * @param {string} path
 */
export function dsyncFds(calls, path) {
  const fds = new Set();
  for (const c of calls) {
    if (c.call === 'openat' && c.args.includes(`"${path}"`) && /O_DSYNC|O_SYNC/.test(c.args)) fds.add(/^(\d+)/.exec(c.ret)?.[1]);
  }
  return fds;
}

/**
 * The calls between marks (writes to the file `marks`): one window per mark, `{ mark, calls }`
 * with the calls made after the mark before it and before this one; then the calls after the
 * last (`mark: null`).
 * @param {Call[]} calls
 * @param {string} marks
 */
export function windows(calls, marks) {
  /** @type {{ mark: string | null, calls: Call[] }[]} */
  const w = [];
  /** @type {Call[]} */
  let between = [];
  for (const c of calls) {
    if (on(marks)(c) && isWrite(c)) {
      w.push({ mark: /"(.*?)"/.exec(c.args)?.[1] ?? '', calls: between });
      between = [];
    } else {
      between.push(c);
    }
  }
  w.push({ mark: null, calls: between });
  return w;
}

/**
 * Whether `calls` hold a write of `path` made stable before they end: through an fd opened
 * O_DSYNC, or followed by an fdatasync (or fsync) of the file.
 * @param {Call[]} calls
 * @param {string} path
 * @param {Set<string | undefined>} dsync the fds opened O_DSYNC (`dsyncFds`)
 */
export function durableWrite(calls, path, dsync) {
  const ofPath = (/** @type {Call} */ c) => c.args.includes(`<${path}>`);
  let written = false;
  for (const c of calls) {
    if (isWrite(c) && ofPath(c)) {
      if (dsync.has(fdOf(c))) return true;
      written = true;
    } else if (written && isSync(c) && ofPath(c)) {
      return true;
    }
  }
  return false;
}

/**
 * @param {Call[]} calls
 * @param {string} path
 */
export const syncsOf = (calls, path) => calls.filter((c) => isSync(c) && c.args.includes(`<${path}>`)).length;
/**
 * @param {Call[]} calls
 * @param {string} path
 */
export const writesOf = (calls, path) => calls.filter((c) => isWrite(c) && c.args.includes(`<${path}>`)).length;
