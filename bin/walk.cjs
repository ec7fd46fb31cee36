// @ts-check
'use strict';
// Directory walking for `ironlung count`: the files git would see as untracked-or-tracked
// (that is, not ignored), with .gitignore files at every level and .git/info/exclude.
//
// - A .git entry (directory, or the file of a worktree or submodule) is never entered.
// - A directory that holds .git starts a repository of its own: as in git, the outer
//   repository's rules stop applying and its own info/exclude starts.
// - For a directory named on the command line inside a repository, the .gitignore files
//   from the repository root down to it apply too. Outside any repository, .gitignore
//   files in the walked tree still apply (there is just no info/exclude).
// - Symbolic links are not followed, to directories or to files, as ripgrep, fd and du do
//   by default: no loops, nothing outside the tree, a file and a link to it taken once,
//   and git keeps a link as a link, not as its target's text. Links and special files are
//   reported as skipped with ERR_NOT_REGULAR_FILE.
// - A path is a string, or bytes (a Buffer) where a name on it is not UTF-8 (see listDir).

const fs = require('node:fs');
const path = require('node:path');
const { isUtf8 } = require('node:buffer');
const { parseGitignore, isIgnored } = require('./gitignore.cjs');
const { readRegular, kindOf } = require('./io.cjs');

/** @typedef {import('./gitignore.cjs').Rule} Rule */
/** @typedef {(message: string) => void} Warn */
/**
 * A path left out of the walk, or one that could not be read.
 * @typedef {{ path: string, code: string, message: string }} Problem
 */

/**
 * A path as text: bytes are decoded, each byte that is not part of a UTF-8 character as
 * `\xHH`, which tells apart names that differ only there (U+FFFD would not).
 * @param {string | Buffer} p
 */
function shownPath(p) {
  if (typeof p === 'string') return p;
  let s = '';
  for (let i = 0; i < p.length; ) {
    // A UTF-8 character is 1 to 4 bytes, and no shorter prefix of it is valid.
    let n = 1;
    while (n <= 4 && !isUtf8(p.subarray(i, i + n))) n++;
    if (n <= 4) {
      s += p.toString('utf8', i, i + n);
      i += n;
    } else {
      s += `\\x${p[i].toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return s;
}

/**
 * The key of a path in a set of paths taken: absolute, and never the same for a string and
 * for bytes (a path is bytes exactly when a name on it is not UTF-8).
 * @param {string | Buffer} p
 */
function pathKey(p) {
  return typeof p === 'string' ? path.resolve(p) : `\0${path.resolve(p.toString('latin1'))}`;
}

/**
 * `dir`/`name`, as bytes when either is.
 * @param {string | Buffer} dir
 * @param {string | Buffer} name
 */
function under(dir, name) {
  if (typeof dir === 'string' && typeof name === 'string') return path.join(dir, name);
  return Buffer.concat([Buffer.from(dir), Buffer.from(path.sep), Buffer.from(name)]);
}

/**
 * The entries of directory `dir`. Node decodes names as UTF-8, with U+FFFD for bytes that are
 * not, and such a name names no file: a directory with U+FFFD in a name is listed again as
 * bytes, and there a name (a Buffer) that is not UTF-8 is kept as bytes.
 * @param {string | Buffer} dir
 * @returns {fs.Dirent<string | Buffer>[]}
 */
function listDir(dir) {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  if (!entries.some((e) => e.name.includes('\uFFFD'))) return entries;
  return fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
}

/**
 * @param {string} p
 * @param {string} what
 * @returns {Problem}
 */
function notRegular(p, what) {
  return { path: p, code: 'ERR_NOT_REGULAR_FILE', message: `'${p}' is ${what}; only regular files are counted` };
}

/**
 * The rules of a file, or [] if it does not exist; warns about other read errors, and a file
 * that is not a regular file, which is not read (readRegular: git and ripgrep would wait on a
 * FIFO for ever).
 * @param {string | Buffer} file
 * @param {string} base
 * @param {Warn} [warn]
 * @returns {Rule[]}
 */
function loadRules(file, base, warn) {
  let text;
  try {
    text = readRegular(file).toString('utf8');
  } catch (e) {
    if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR' && warn) {
      warn(`cannot read ${shownPath(file)}: ${e.code === 'ERR_NOT_REGULAR_FILE' ? e.message : e.code || e.message}`);
    }
    return [];
  }
  return parseGitignore(text, base);
}

/**
 * The git directory of a work tree root that has a .git entry (a `gitdir:` file too).
 * @param {string | Buffer} root
 * @returns {string | Buffer | null}
 */
function gitDirOf(root) {
  const dotGit = under(root, '.git');
  let st;
  try {
    st = fs.statSync(dotGit);
  } catch {
    return null;
  }
  if (st.isDirectory()) return dotGit;
  // A gitdir: file's path is text, resolved against the root's: not under bytes.
  if (!st.isFile() || typeof root !== 'string') return null;
  try {
    const m = /^gitdir:\s*(.*?)\s*$/m.exec(readRegular(dotGit).toString('utf8'));
    if (!m) return null;
    const gitDir = path.resolve(root, m[1]);
    // A linked worktree keeps info/exclude in the common directory.
    try {
      return path.resolve(gitDir, readRegular(path.join(gitDir, 'commondir')).toString('utf8').trim());
    } catch {
      return gitDir;
    }
  } catch {
    return null;
  }
}

/**
 * @param {string | Buffer} root
 * @param {Warn} [warn]
 */
function excludeRules(root, warn) {
  const gitDir = gitDirOf(root);
  return gitDir ? loadRules(under(under(gitDir, 'info'), 'exclude'), '', warn) : [];
}

/** @param {string} dir */
function hasDotGit(dir) {
  try {
    fs.lstatSync(path.join(dir, '.git'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The rule lists that apply inside `dir` before its own .gitignore is read, and dir's path
 * relative to the repository root they are relative to.
 * @param {string} dir
 * @param {Warn} [warn]
 * @returns {{ lists: Rule[][], rel: string }}
 */
function outerContext(dir, warn) {
  let real;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return { lists: [], rel: '' };
  }
  let root = real;
  for (;;) {
    if (hasDotGit(root)) break;
    const parent = path.dirname(root);
    if (parent === root) return { lists: [], rel: '' };
    root = parent;
  }
  if (root === real) return { lists: [], rel: '' }; // the walk itself sets up a repository root
  const lists = [];
  const ex = excludeRules(root, warn);
  if (ex.length) lists.push(ex);
  const parts = path.relative(root, real).split(path.sep).filter(Boolean);
  let cur = root;
  let rel = '';
  for (const part of parts) {
    const rules = loadRules(path.join(cur, '.gitignore'), rel, warn);
    if (rules.length) lists.push(rules);
    cur = path.join(cur, part);
    rel = rel ? `${rel}/${part}` : part;
  }
  return { lists, rel };
}

/**
 * Walks directory `dir` (as named on the command line).
 * @param {string} dir
 * @param {object} opts
 * @param {boolean} [opts.ignore=true] apply .gitignore and info/exclude rules
 * @param {(files: number) => void} [opts.onProgress] called after each directory
 * @param {Warn} [opts.warn]
 * @returns {{ files: (string | Buffer)[], skipped: Problem[], errors: Problem[] }}
 *   paths are `dir` joined with the path inside it, in no particular order; a Problem's
 *   path is shownPath's text
 */
function walk(dir, opts = {}) {
  const ignore = opts.ignore !== false;
  const warn = opts.warn;
  /** @type {(string | Buffer)[]} */
  const files = [];
  /** @type {Problem[]} */
  const skipped = [];
  /** @type {Problem[]} */
  const errors = [];
  let prefix = path.normalize(dir);
  if (prefix === '.' + path.sep || prefix === '.') prefix = '';
  else if (!prefix.endsWith(path.sep)) prefix += path.sep;
  const outer = ignore ? outerContext(dir, warn) : { lists: [], rel: '' };
  // sub: the path inside `dir` as shown; raw: the directory's path as bytes, once a name on
  // it is not UTF-8.
  /** @type {{ sub: string, rel: string, lists: Rule[][], raw: Buffer | null }[]} */
  const stack = [{ sub: '', rel: outer.rel, lists: outer.lists, raw: null }];
  while (stack.length) {
    const d = /** @type {typeof stack[number]} */ (stack.pop()); // the stack is not empty
    const shownDir = d.sub ? prefix + d.sub : prefix ? prefix.slice(0, -1) || path.sep : '.';
    const dirPath = d.raw ?? shownDir;
    let entries;
    try {
      entries = listDir(dirPath);
    } catch (e) {
      errors.push({ path: shownDir, code: e.code || 'EIO', message: e.message });
      continue;
    }
    let { lists, rel } = d;
    if (ignore) {
      const dotGit = entries.find((e) => String(e.name) === '.git');
      if (dotGit) {
        const ex = excludeRules(dirPath, warn);
        lists = ex.length ? [ex] : [];
        rel = '';
      }
      const gi = entries.find((e) => String(e.name) === '.gitignore');
      // Like git (2.32+), a .gitignore that is a symbolic link is not read.
      if (gi && gi.isFile()) {
        const rules = loadRules(under(dirPath, '.gitignore'), rel, warn);
        if (rules.length) lists = [...lists, rules];
      }
    }
    for (const e of entries) {
      const bytes = typeof e.name === 'string' || isUtf8(e.name) ? null : e.name;
      // Patterns are matched against U+FFFD where a name is not UTF-8 (git matches bytes).
      const name = String(e.name);
      if (name === '.git') continue;
      const isDir = e.isDirectory();
      const entryRel = rel ? `${rel}/${name}` : name;
      if (ignore && lists.length && isIgnored(lists, entryRel, isDir)) continue;
      const shown = bytes ? shownPath(bytes) : name;
      const sub = d.sub ? `${d.sub}/${shown}` : shown;
      const raw = d.raw
        ? /** @type {Buffer} */ (under(d.raw, bytes ?? name))
        : bytes && Buffer.concat([Buffer.from(d.sub ? `${prefix}${d.sub}/` : prefix), bytes]);
      if (isDir) {
        stack.push({ sub, rel: entryRel, lists, raw });
        continue;
      }
      const p = prefix + sub;
      const file = raw ?? p;
      if (e.isFile()) {
        files.push(file);
      } else if (e.isSymbolicLink()) {
        let st;
        try {
          st = fs.statSync(file);
        } catch (err) {
          skipped.push(notRegular(p, `a broken symbolic link (${err.code})`));
          continue;
        }
        if (st.isFile()) skipped.push(notRegular(p, 'a symbolic link to a file, which is not followed'));
        else if (st.isDirectory()) skipped.push(notRegular(p, 'a symbolic link to a directory, which is not followed'));
        else skipped.push(notRegular(p, `a symbolic link to ${kindOf(st)}`));
      } else {
        let what = 'not a regular file';
        try {
          what = kindOf(fs.lstatSync(file));
        } catch {}
        skipped.push(notRegular(p, what));
      }
    }
    if (opts.onProgress) opts.onProgress(files.length);
  }
  return { files, skipped, errors };
}

module.exports = { walk, outerContext, notRegular, shownPath, pathKey };
