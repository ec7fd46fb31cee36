// @ts-check
'use strict';
// A .gitignore matcher with git's own semantics (gitignore(5); dir.c and wildmatch.c in git),
// written here so the package stays dependency-free.
//
// Supported: comments (#, and \# for a literal #), blank lines, trailing spaces trimmed
// unless escaped (\ ), CRLF line ends, a UTF-8 BOM, !negation (\! for a literal !), a
// trailing / for directories only, a leading or middle / anchoring the pattern to the
// directory of its .gitignore, patterns without a / matching the name at any depth, *, ?,
// [...] with ranges, ! or ^ negation and [:class:] names, \ escapes, and ** (leading **/,
// trailing /**, /**/ in the middle; any other ** is a *). The last matching pattern wins,
// deeper .gitignore files override shallower ones, and .git/info/exclude comes last.
//
// Known differences from git: names are matched as Unicode characters where git matches
// bytes (so ? matches one 'é' here, one of its two UTF-8 bytes in git), and matching is
// always case-sensitive (git follows core.ignoreCase, which is true on macOS and Windows).

/** @type {Record<string, string>} */
const CLASSES = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/** @param {string} ch one character */
const hex = (ch) => `\\u{${/** @type {number} */ (ch.codePointAt(0)).toString(16)}}`;
/** @param {string} ch */
const escape = (ch) => (/[\\^$.*+?()[\]{}|/]/.test(ch) ? '\\' + ch : ch);
/** @param {string} ch */
const escapeInClass = (ch) => (/[0-9A-Za-z]/.test(ch) ? ch : hex(ch));

/**
 * The regular expression (source) for one bracket expression starting at p[i] === '['
 * (wildmatch's rules: ] first is literal, ranges, escapes, [:name:]), or null when the
 * bracket is unterminated or names an unknown class: git then matches nothing.
 * @param {string[]} p the pattern's characters
 * @param {number} i
 * @param {boolean} pathname
 * @returns {{ re: string, next: number } | null}
 */
function bracket(p, i, pathname) {
  let k = i + 1;
  /** @type {string | null | undefined} */
  let ch = p[k];
  let negated = false;
  if (ch === '!' || ch === '^') {
    negated = true;
    ch = p[++k];
  }
  let items = '';
  /** @type {string | null} */
  let prev = null;
  do {
    if (ch === undefined) return null;
    if (ch === '\\') {
      ch = p[++k];
      if (ch === undefined) return null;
      items += escapeInClass(ch);
    } else if (ch === '-' && prev !== null && p[k + 1] !== undefined && p[k + 1] !== ']') {
      ch = p[++k];
      if (ch === '\\') {
        ch = p[++k];
        if (ch === undefined) return null;
      }
      // The start was already added as a single character; a reversed range adds nothing.
      if (/** @type {number} */ (prev.codePointAt(0)) <= /** @type {number} */ (ch.codePointAt(0))) items += `${escapeInClass(prev)}-${escapeInClass(ch)}`;
      ch = null;
    } else if (ch === '[' && p[k + 1] === ':') {
      const s = k + 2;
      let q = s;
      while (p[q] !== undefined && p[q] !== ']') q++;
      if (p[q] === undefined) return null;
      if (q - s - 1 < 0 || p[q - 1] !== ':') {
        // No ":]": the [ is an ordinary member and scanning resumes after it.
        k = s - 2;
        ch = '[';
        items += escapeInClass('[');
        continue;
      }
      const cls = CLASSES[p.slice(s, q - 1).join('')];
      if (cls === undefined) return null;
      items += cls;
      k = q;
      ch = null;
    } else {
      items += escapeInClass(ch);
    }
  } while (((prev = ch), (ch = p[++k])) !== ']');
  const set = `[${negated ? '^' : ''}${items}]`;
  // With WM_PATHNAME a bracket never matches '/', negated or not.
  return { re: pathname ? `(?!/)${set}` : set, next: k + 1 };
}

/**
 * Translates a wildmatch pattern to a regular expression source, or null if it can match
 * nothing. `pathname` is WM_PATHNAME (* and ? stop at /, ** is special); `start` is where
 * wildmatch's pattern begins: git compares the literal prefix of an anchored pattern first
 * and hands only the rest to wildmatch, which decides whether a ** "starts the pattern".
 * @param {string[]} p the pattern's characters
 * @param {boolean} pathname
 * @param {number} [start]
 * @returns {string | null}
 */
function globToRegex(p, pathname, start = 0) {
  let re = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 >= p.length) return null; // a trailing backslash matches nothing
      re += escape(p[i + 1]);
      i += 2;
    } else if (c === '?') {
      re += pathname ? '[^/]' : '[^]';
      i++;
    } else if (c === '*') {
      let j = i;
      while (p[j] === '*') j++;
      if (!pathname) re += '[^]*';
      else if (j - i === 1) re += '[^/]*';
      else {
        const atStart = i === start || p[i - 1] === '/';
        if (atStart && j === p.length) re += '[^]*';
        else if (atStart && p[j] === '/') {
          re += '(?:[^]*/)?';
          j++;
        } else if (atStart && p[j] === '\\' && p[j + 1] === '/') {
          re += '[^]*/';
          j += 2;
        } else re += '[^/]*';
      }
      i = j;
    } else if (c === '[') {
      const b = bracket(p, i, pathname);
      if (!b) return null;
      re += b.re;
      i = b.next;
    } else {
      re += escape(c);
      i++;
    }
  }
  return re;
}

/**
 * git's trim_trailing_spaces: drops unescaped trailing spaces (not tabs).
 * @param {string} line
 */
function trimTrailingSpaces(line) {
  let lastSpace = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') {
      if (lastSpace < 0) lastSpace = i;
    } else if (c === '\\') {
      i++;
      if (i >= line.length) return line;
      lastSpace = -1;
    } else {
      lastSpace = -1;
    }
  }
  return lastSpace < 0 ? line : line.slice(0, lastSpace);
}

const NEVER = /(?!)/;

/**
 * One pattern line (already trimmed) of a .gitignore in directory `base` ('' for the root,
 * else a '/'-separated path without a trailing slash). Returns null for an empty pattern.
 * @param {string} line
 * @param {string} [base]
 * @param {string} [source] the line as written, kept for messages
 * @returns {Rule | null}
 */
function compileRule(line, base = '', source = line) {
  let pat = line;
  let negated = false;
  if (pat[0] === '!') {
    negated = true;
    pat = pat.slice(1);
  }
  let dirOnly = false;
  if (pat.endsWith('/')) {
    dirOnly = true;
    pat = pat.slice(0, -1);
  }
  if (pat === '') return null;
  const p = Array.from(pat);
  const basename = !p.includes('/');
  let re;
  if (basename) {
    re = globToRegex(p, false);
  } else {
    if (p[0] === '/') p.shift();
    let prefix = 0;
    while (prefix < p.length && !'*?[\\'.includes(p[prefix])) prefix++;
    re = globToRegex(p, true, prefix);
  }
  return {
    source,
    negated,
    dirOnly,
    basename,
    base,
    re: re === null ? NEVER : new RegExp(`^${re}$`, 'su'),
  };
}

/**
 * @typedef {object} Rule one pattern line, compiled
 * @property {string} source
 * @property {boolean} negated
 * @property {boolean} dirOnly
 * @property {boolean} basename matched against the last path component only
 * @property {string} base the directory of its .gitignore
 * @property {RegExp} re
 */

/**
 * The rules of a .gitignore (or info/exclude) file's text, for directory `base`.
 * @param {string} text
 * @param {string} [base]
 */
function parseGitignore(text, base = '') {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rules = [];
  for (let line of text.split('\n')) {
    if (line === '' || line[0] === '#') continue;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const rule = compileRule(trimTrailingSpaces(line), base, line);
    if (rule) rules.push(rule);
  }
  return rules;
}

/**
 * Whether `rule` matches `rel` (a '/'-separated path relative to the root the rule's base
 * is relative to; `isDir` true for directories, false for files and symbolic links).
 * @param {Rule} rule
 * @param {string} rel
 * @param {boolean} isDir
 */
function ruleMatches(rule, rel, isDir) {
  if (rule.dirOnly && !isDir) return false;
  if (rule.basename) return rule.re.test(rel.slice(rel.lastIndexOf('/') + 1));
  if (rule.base) {
    if (rel.length <= rule.base.length + 1 || !rel.startsWith(rule.base) || rel[rule.base.length] !== '/') return false;
    return rule.re.test(rel.slice(rule.base.length + 1));
  }
  return rule.re.test(rel);
}

/**
 * The decision of a stack of rule lists, shallowest first (info/exclude, then the root
 * .gitignore, then deeper ones): true if ignored, false if re-included by a negation,
 * undefined if no rule matches. Deeper lists win; within a list the last match wins.
 * @param {Rule[][]} lists
 * @param {string} rel
 * @param {boolean} isDir
 * @returns {boolean | undefined}
 */
function decide(lists, rel, isDir) {
  for (let i = lists.length - 1; i >= 0; i--) {
    const rules = lists[i];
    for (let j = rules.length - 1; j >= 0; j--) {
      if (ruleMatches(rules[j], rel, isDir)) return !rules[j].negated;
    }
  }
  return undefined;
}

/**
 * Whether `rel` is ignored by `lists` (see `decide`); not the "parent excluded" rule.
 * @param {Rule[][]} lists
 * @param {string} rel
 * @param {boolean} isDir
 */
function isIgnored(lists, rel, isDir) {
  return decide(lists, rel, isDir) === true;
}

module.exports = { parseGitignore, compileRule, ruleMatches, decide, isIgnored, trimTrailingSpaces, globToRegex };
