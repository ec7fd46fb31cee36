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
// - Symbolic links are never followed to directories (no loops); links to regular files
//   are read. Links to directories, broken links and special files are reported as
//   skipped with ERR_NOT_REGULAR_FILE.

const fs = require('node:fs');
const path = require('node:path');
const { parseGitignore, isIgnored } = require('./gitignore.cjs');
const { readRegular, kindOf } = require('./io.cjs');

/** @typedef {import('./gitignore.cjs').Rule} Rule */
/** @typedef {(message: string) => void} Warn */
/**
 * A path left out of the walk, or one that could not be read.
 * @typedef {{ path: string, code: string, message: string }} Problem
 */

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
 * @param {string} file
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
      warn(`cannot read ${file}: ${e.code === 'ERR_NOT_REGULAR_FILE' ? e.message : e.code || e.message}`);
    }
    return [];
  }
  return parseGitignore(text, base);
}

/**
 * The git directory of a work tree root that has a .git entry (a `gitdir:` file too).
 * @param {string} root
 * @returns {string | null}
 */
function gitDirOf(root) {
  const dotGit = path.join(root, '.git');
  let st;
  try {
    st = fs.statSync(dotGit);
  } catch {
    return null;
  }
  if (st.isDirectory()) return dotGit;
  if (!st.isFile()) return null;
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
 * @param {string} root
 * @param {Warn} [warn]
 */
function excludeRules(root, warn) {
  const gitDir = gitDirOf(root);
  return gitDir ? loadRules(path.join(gitDir, 'info', 'exclude'), '', warn) : [];
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
 * @returns {{ files: string[], skipped: Problem[], errors: Problem[] }}
 *   paths are `dir` joined with the path inside it, in no particular order
 */
function walk(dir, opts = {}) {
  const ignore = opts.ignore !== false;
  const warn = opts.warn;
  /** @type {string[]} */
  const files = [];
  /** @type {Problem[]} */
  const skipped = [];
  /** @type {Problem[]} */
  const errors = [];
  let prefix = path.normalize(dir);
  if (prefix === '.' + path.sep || prefix === '.') prefix = '';
  else if (!prefix.endsWith(path.sep)) prefix += path.sep;
  const outer = ignore ? outerContext(dir, warn) : { lists: [], rel: '' };
  const stack = [{ sub: '', rel: outer.rel, lists: outer.lists }];
  while (stack.length) {
    const d = /** @type {typeof stack[number]} */ (stack.pop()); // the stack is not empty
    const dirPath = d.sub ? prefix + d.sub : prefix ? prefix.slice(0, -1) || path.sep : '.';
    let entries;
    try {
      entries = fs.readdirSync(dirPath, { withFileTypes: true });
    } catch (e) {
      errors.push({ path: dirPath, code: e.code || 'EIO', message: e.message });
      continue;
    }
    let { lists, rel } = d;
    if (ignore) {
      const dotGit = entries.find((e) => e.name === '.git');
      if (dotGit) {
        const ex = excludeRules(dirPath, warn);
        lists = ex.length ? [ex] : [];
        rel = '';
      }
      const gi = entries.find((e) => e.name === '.gitignore');
      // Like git (2.32+), a .gitignore that is a symbolic link is not read.
      if (gi && gi.isFile()) {
        const rules = loadRules(path.join(dirPath, '.gitignore'), rel, warn);
        if (rules.length) lists = [...lists, rules];
      }
    }
    for (const e of entries) {
      const name = e.name;
      if (name === '.git') continue;
      const isDir = e.isDirectory();
      const entryRel = rel ? `${rel}/${name}` : name;
      if (ignore && lists.length && isIgnored(lists, entryRel, isDir)) continue;
      const sub = d.sub ? `${d.sub}/${name}` : name;
      if (isDir) {
        stack.push({ sub, rel: entryRel, lists });
        continue;
      }
      const p = prefix + sub;
      if (e.isFile()) {
        files.push(p);
      } else if (e.isSymbolicLink()) {
        let st;
        try {
          st = fs.statSync(p);
        } catch (err) {
          skipped.push(notRegular(p, `a broken symbolic link (${err.code})`));
          continue;
        }
        if (st.isFile()) files.push(p);
        else if (st.isDirectory()) skipped.push(notRegular(p, 'a symbolic link to a directory, which is not followed'));
        else skipped.push(notRegular(p, `a symbolic link to ${kindOf(st)}`));
      } else {
        let what = 'not a regular file';
        try {
          what = kindOf(fs.lstatSync(p));
        } catch {}
        skipped.push(notRegular(p, what));
      }
    }
    if (opts.onProgress) opts.onProgress(files.length);
  }
  return { files, skipped, errors };
}

module.exports = { walk, outerContext, notRegular };
