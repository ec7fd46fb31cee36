// @ts-check
// A session log's file I/O and its writer lock, for hosts with a file system (Node, Bun,
// Deno). The log itself (js/log.mjs) asks for these operations and nothing else; the
// native backend does them in Rust (crates/node/src/log.rs), the wasm backend here, over
// node:fs. The lock file is the same on both, so that a native writer and a wasm writer
// exclude each other too; a native writer also locks the open file (`tryLock`).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { IronlungError } from './errors.mjs';
import { openError, typeOf } from './fsread.mjs';

/**
 * @typedef {import('./fsread.mjs').ReadRules} ReadRules
 *
 * @typedef {object} LogFileHandle
 * @property {() => Promise<number>} size
 * @property {(offset: number, len: number) => Promise<Uint8Array>} read up to `len` bytes; fewer only at the end
 * @property {(scanner: any, offset: number, len: number, from: number, to: number, maxBytes: number) => Promise<Float64Array>} [readScan]
 *   native: `read`, then `scanner.scan` of the window, in one trip to the thread pool (js/log.mjs's
 *   reading loop); the records' bytes stay in the scanner
 * @property {(offset: number, bytes: Uint8Array, sync: boolean) => Promise<void>} write all of `bytes`, then fdatasync if `sync`
 * @property {(offset: number, bytes: Uint8Array) => void} writeNow all of `bytes`, on this thread: for
 *   writes no sync follows, where the copy into the page cache costs less than a trip to the thread pool
 * @property {(offset: number, len: number) => Uint8Array} [readNow] `read`, on this thread; with
 *   `sizeNow`, what the wasm backend (whose log state a trap can lose) reloads it from at exit
 * @property {() => number} [sizeNow]
 * @property {(len: number) => void} [truncateNow] `truncate`, on this thread, without the sync
 * @property {() => Promise<void>} sync
 * @property {(len: number) => Promise<void>} truncate cuts the file and syncs
 * @property {() => Promise<void>} close
 * @property {() => Promise<number>} links how many names (hard links) the open file has; 0 where the host does not say
 * @property {() => boolean} [tryLock] native: the writer's exclusive lock on the open file itself
 *   (flock), taken without waiting; false if another open of the file holds it, whatever its name.
 *   Held until `close`. The wasm backend has none: node:fs has no such lock, and Deno's
 *   `FsFile.lock` waits for it
 * @property {(path: string) => void} renamed the file is named `path` now (a compaction's new file,
 *   renamed over the log): its errors say so
 *
 * @typedef {object} LogFiles
 * @property {(path: string, readOnly: boolean, create: boolean, dsync?: boolean) => Promise<LogFileHandle>} open
 *   `dsync`: every write will be asked to sync; a host may open the file so that each write does
 * @property {(from: string, to: string) => Promise<void>} rename rename over (`syncDir` makes it durable)
 * @property {(path: string) => Promise<void>} syncDir
 * @property {(path: string) => Promise<void>} remove removes the file if it exists
 * @property {(path: string, name?: string) => Promise<() => void>} lock the writer lock, or ERR_LOG_LOCKED
 *   naming the log as `name`; returns its release
 * @property {(path: string) => Promise<string>} realPath the file `path` names, symbolic links resolved
 * @property {(path: string) => Promise<string | null>} identity which file `path` names now (device and
 *   inode), or null where the host does not say
 * @property {(f: () => void) => void} atExit runs `f` when the process exits, synchronously: at
 *   `process.exit()` too, and on Deno at `Deno.exit()`
 */

/**
 * The native backend's log files: the addon's LogFile.
 * @param {{ LogFile: new (path: string, readOnly: boolean, create: boolean) => any,
 *   logRename: (from: string, to: string) => Promise<void>, logSyncDir: (path: string) => Promise<void> }} binding
 * @returns {LogFiles}
 */
export function nativeLogFiles(binding) {
  return {
    async open(path, readOnly, create) {
      const f = new binding.LogFile(path, readOnly, create);
      return {
        size: async () => f.size(),
        read: (offset, len) => f.read(offset, len),
        readScan: (scanner, offset, len, from, to, maxBytes) => f.readScan(scanner, offset, len, from, to, maxBytes),
        write: (offset, bytes, sync) => f.write(offset, bytes, sync),
        writeNow: (offset, bytes) => f.writeNow(offset, bytes),
        sync: () => f.sync(),
        truncate: (len) => f.truncate(len),
        truncateNow: (len) => f.truncateNow(len),
        close: async () => f.close(),
        links: async () => f.links(),
        tryLock: () => f.tryLock(),
        renamed: (to) => f.renamed(to),
      };
    },
    rename: (from, to) => binding.logRename(from, to),
    syncDir: (path) => binding.logSyncDir(path),
    remove,
    lock,
    realPath,
    identity,
    atExit,
  };
}

/**
 * Throws the core's ERR_NOT_REGULAR_FILE, in its words, for a FIFO, device or socket. A
 * file or directory passes (a directory's reads fail on their own, with EISDIR). The core's
 * rule for which files a bounded read reads is the same rule: a special file is refused
 * whatever its size, so the size and cap passed do not matter.
 * @param {ReadRules} rules
 * @param {string} path
 * @param {fs.Stats} st
 */
function refuseSpecial(rules, path, st) {
  if (!st.isFile() && !st.isDirectory()) rules.readCap(path, typeOf(st), 0, 0);
}

/**
 * The wasm backend's log files: node:fs, as Node, Bun and Deno have it. `rules` is the wasm
 * glue, whose rules say which files are not read.
 * @param {ReadRules} rules
 * @returns {LogFiles}
 */
export function nodeLogFiles(rules) {
  return {
    async open(path, readOnly, create, dsync = false) {
      // With O_DSYNC each write returns once its data is on stable storage, as a write and an
      // fdatasync do: one trip to the thread pool per append instead of two.
      const dsyncFlag = !readOnly && dsync ? fs.constants.O_DSYNC || 0 : 0;
      // Without O_NONBLOCK, opening a FIFO for reading waits for a writer, possibly forever.
      // It does not change reads and writes of a regular file, the only kind kept open.
      const nonBlock = fs.constants.O_NONBLOCK || 0;
      const flags = (readOnly ? fs.constants.O_RDONLY : fs.constants.O_RDWR | (create ? fs.constants.O_CREAT : 0) | dsyncFlag) | nonBlock;
      let h;
      try {
        h = await fs.promises.open(path, flags, 0o644);
      } catch (e) {
        // Only ENXIO (opening a socket) has an error of the core's in its place: stat for that.
        const st = /** @type {any} */ (e)?.code === 'ENXIO' ? await fs.promises.stat(path).catch(() => undefined) : undefined;
        throw openError(rules, path, e, st);
      }
      try {
        refuseSpecial(rules, path, await h.stat());
      } catch (e) {
        await h.close();
        throw e;
      }
      const name = { path };
      /** @type {LogFileHandle} */
      const handle = {
        size: async () => (await h.stat()).size,
        async read(offset, len) {
          const buf = new Uint8Array(len);
          let filled = 0;
          while (filled < len) {
            const { bytesRead } = await h.read(buf, filled, len - filled, offset + filled);
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          return filled === len ? buf : buf.subarray(0, filled);
        },
        async write(offset, bytes, sync) {
          let done = 0;
          while (done < bytes.length) {
            const { bytesWritten } = await h.write(bytes, done, bytes.length - done, offset + done);
            done += bytesWritten;
          }
          if (sync && !dsyncFlag) await h.datasync();
        },
        writeNow(offset, bytes) {
          for (let done = 0; done < bytes.length; ) {
            done += fs.writeSync(h.fd, bytes, done, bytes.length - done, offset + done);
          }
        },
        readNow(offset, len) {
          const buf = new Uint8Array(len);
          let filled = 0;
          while (filled < len) {
            const n = fs.readSync(h.fd, buf, filled, len - filled, offset + filled);
            if (n === 0) break;
            filled += n;
          }
          return filled === len ? buf : buf.subarray(0, filled);
        },
        sizeNow: () => fs.fstatSync(h.fd).size,
        truncateNow: (len) => fs.ftruncateSync(h.fd, len),
        sync: () => h.datasync(),
        async truncate(len) {
          await h.truncate(len);
          await h.datasync();
        },
        close: () => h.close(),
        links: async () => (await h.stat()).nlink || 0,
        renamed: (to) => {
          name.path = to;
        },
      };
      return withPath(handle, name);
    },
    rename: (from, to) => fs.promises.rename(from, to),
    syncDir,
    remove,
    lock,
    realPath,
    identity,
    atExit,
  };
}

/**
 * `handle` whose errors name `name.path` (which `renamed` changes), as the native backend's
 * do: node:fs names the path of an open, not of a read or write on the descriptor ("EISDIR:
 * illegal operation on a directory, read").
 * @param {LogFileHandle} handle
 * @param {{ path: string }} name
 * @returns {LogFileHandle}
 */
function withPath(handle, name) {
  /** @type {any} */
  const out = {};
  /** @param {unknown} e */
  const named = (e) => {
    const err = /** @type {any} */ (e);
    if (typeof err?.code === 'string' && typeof err.syscall === 'string' && err.path === undefined) {
      const description = String(err.message).replace(/^[A-Z0-9]+: /, '').replace(/, [a-z]+$/, '');
      return new IronlungError(err.code, `${description}, ${err.syscall} '${name.path}'`);
    }
    return e;
  };
  /** @param {unknown} e @returns {never} */
  const rethrowNamed = (e) => {
    throw named(e);
  };
  // One wrapper for the sync call (writeNow) and the async ones: a promise's rejection is
  // renamed as a synchronous throw is.
  for (const [name, f] of Object.entries(handle)) {
    const call = /** @type {(...args: any[]) => any} */ (f);
    out[name] = (/** @type {any[]} */ ...args) => {
      let r;
      try {
        r = call(...args);
      } catch (e) {
        rethrowNamed(e);
      }
      return r instanceof Promise ? r.catch(rethrowNamed) : r;
    };
  }
  return out;
}

/** @param {string} path */
async function syncDir(path) {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.';
  let h;
  try {
    h = await fs.promises.open(dir, 'r');
    await h.sync();
  } catch (e) {
    // Some systems cannot open or sync a directory (EISDIR, EINVAL, EPERM): their renames
    // are as durable as they make them.
    const code = /** @type {any} */ (e).code;
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EACCES'].includes(code)) throw e;
  } finally {
    await h?.close();
  }
}

/** @param {string} path */
async function remove(path) {
  await fs.promises.rm(path, { force: true });
}

/** This host's name, or '' where the runtime does not tell (Deno without --allow-sys). */
function hostname() {
  try {
    return os.hostname();
  } catch {
    return '';
  }
}

/** When process `pid` started (Linux: clock ticks since boot), or '' where unknown. */
function startTime(/** @type {number} */ pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are fixed.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || '';
  } catch {
    return '';
  }
}

/**
 * Whether the process that wrote a lock still runs. A lock from another host is taken as
 * held: its process cannot be checked from here.
 * @param {{ pid?: unknown, host?: unknown, start?: unknown }} holder
 */
function alive(holder) {
  if (typeof holder.pid !== 'number' || holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if (/** @type {any} */ (e).code === 'ESRCH') return false;
    // EPERM: it runs, as another user. Anything else (Deno without --allow-run): it cannot
    // be told, so the lock is taken as held.
  }
  // A live pid may have been reused by another process since the lock was written.
  const start = startTime(holder.pid);
  return !(holder.start && start && start !== holder.start);
}

/**
 * Runs `f` when the process exits. Deno's `unload` event comes at `Deno.exit()` and at
 * `process.exit()` alike, where node:process's `exit` misses the first.
 * @param {() => void} f
 */
function atExit(f) {
  const deno = /** @type {any} */ (globalThis).Deno;
  if (deno) globalThis.addEventListener('unload', f);
  else process.on('exit', f);
}

/**
 * Where `path` really is, symbolic links resolved: two names for one log then share its lock,
 * and a compaction renames over the file rather than over a link to it. A file not created
 * yet is its directory's real path and its name; a dangling link is followed to the file it
 * would create. Hard links have no one real name: a writer refuses a file that has two (js/log.mjs).
 * @param {string} path
 * @returns {Promise<string>}
 */
async function realPath(path) {
  for (let links = 0; links < 40; links++) {
    try {
      return await fs.promises.realpath(path);
    } catch (e) {
      if (/** @type {any} */ (e).code !== 'ENOENT') throw e;
    }
    /** @type {fs.Stats | null} */
    let st = null;
    try {
      st = await fs.promises.lstat(path);
    } catch (e) {
      if (/** @type {any} */ (e).code !== 'ENOENT') throw e;
    }
    const dir = await fs.promises.realpath(nodePath.dirname(path));
    if (!st || !st.isSymbolicLink()) return nodePath.join(dir, nodePath.basename(path));
    // A relative target is relative to where the link really is (`..` through a linked directory).
    path = nodePath.resolve(dir, await fs.promises.readlink(path));
  }
  throw Object.assign(new Error(`ELOOP: too many levels of symbolic links, '${path}'`), { code: 'ELOOP' });
}

/**
 * Which file `path` names now: its device and inode, which a compaction's rename changes.
 * Null where the host gives no inode (0), or the path names nothing.
 * @param {string} path
 * @returns {Promise<string | null>}
 */
async function identity(path) {
  try {
    // bigint: an inode number may not fit a double.
    const st = await fs.promises.stat(path, { bigint: true });
    return st.ino ? `${st.dev}:${st.ino}` : null;
  } catch {
    return null;
  }
}

/**
 * Takes `path + '.lock'`: a file written whole under a temporary name and linked into place,
 * which fails if a lock exists. A lock whose process has exited is stale and taken over.
 * @param {string} path
 * @param {string} [name] the log as its messages name it (the path it was opened by)
 * @returns {Promise<() => void>}
 */
async function lock(path, name = path) {
  const lockPath = `${path}.lock`;
  const me = JSON.stringify({ pid: process.pid, host: hostname(), start: startTime(process.pid), token: Math.random() });
  const tmp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, me);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, lockPath);
        break;
      } catch (e) {
        if (/** @type {any} */ (e).code !== 'EEXIST') throw e;
      }
      /** @type {any} */
      let holder = {};
      let text = '';
      try {
        text = fs.readFileSync(lockPath, 'utf8');
        holder = JSON.parse(text);
      } catch {
        // Gone meanwhile, or not ours to read: try again, then report it held.
      }
      if (attempt >= 2 || alive(holder)) {
        const who = typeof holder.pid === 'number' ? `process ${holder.pid} on ${holder.host}` : 'another writer';
        throw new IronlungError(
          'ERR_LOG_LOCKED',
          `the log '${name}' is open for writing by ${who} (lock file '${lockPath}'); open it with { readOnly: true } to read it, ` +
            'or close the other writer; if that process no longer runs and this one cannot tell, remove the lock file',
        );
      }
      // Stale: remove it only if it is still the one read, so a lock just taken by a third
      // process survives.
      try {
        if (fs.readFileSync(lockPath, 'utf8') === text) fs.unlinkSync(lockPath);
      } catch {
        // Removed by another taker: link again.
      }
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return () => {
    try {
      if (fs.readFileSync(lockPath, 'utf8') === me) fs.unlinkSync(lockPath);
    } catch {
      // Already gone.
    }
  };
}
