// The CLI's .gitignore matcher and directory walk (bin/gitignore.cjs, bin/walk.cjs), checked
// against git itself: the files `git ls-files --others --exclude-standard` lists are the
// files `ironlung count` walks. Backend-independent (no tokenizer involved).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { require, tempDir } from './helpers.mjs';

const { parseGitignore, decide, trimTrailingSpaces } = require('../bin/gitignore.cjs');
const { walk } = require('../bin/walk.cjs');

const hasGit = spawnSync('git', ['--version']).status === 0;
const noGit = hasGit ? false : 'git is not installed';

/** Writes `files` (path -> content) under `root`. */
function build(root, files) {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  }
}

/** git with no user or system configuration (no global excludes file). */
function git(t, args) {
  const env = { ...process.env, HOME: t.dir, XDG_CONFIG_HOME: t.dir, GIT_CONFIG_NOSYSTEM: '1' };
  return execFileSync('git', args, { env, encoding: 'utf8' });
}

/** The untracked, not ignored files git lists in `dir`, relative to it. */
function gitFiles(t, dir) {
  return git(t, ['-C', dir, 'ls-files', '-z', '--others', '--exclude-standard']).split('\0').filter(Boolean).sort();
}

/** Everything the walk reaches (counted or skipped), relative to `dir`. */
function walked(dir, opts) {
  const r = walk(dir, opts);
  assert.deepEqual(r.errors, []);
  return [...r.files, ...r.skipped.map((s) => s.path)].map((p) => p.slice(dir.length + 1)).sort();
}

// [.gitignore text, paths of files to create next to it]
const CASES = [
  ['*.log', ['a.log', 'sub/b.log', 'sub/c.txt', 'log/x']],
  ['/build', ['build/x', 'sub/build/y', 'buildx']],
  ['build/', ['build/x', 'sub/build/y', 'other/build']],
  ['doc/*.txt', ['doc/a.txt', 'doc/sub/b.txt', 'x/doc/c.txt']],
  ['**/foo', ['foo', 'a/foo', 'a/b/foo/x', 'foox']],
  ['a/**/b', ['a/b', 'a/x/b', 'a/x/y/b', 'ab', 'a/bb']],
  ['abc/**', ['abc/x', 'abc/y/z', 'abcd']],
  ['*.txt\n!keep.txt', ['a.txt', 'keep.txt', 'd/keep.txt']],
  ['dir/\n!dir/keep', ['dir/keep', 'dir/x']],
  ['dir/*\n!dir/keep', ['dir/keep', 'dir/x', 'dir/sub/y']],
  ['?.md', ['a.md', 'ab.md', 'd/b.md']],
  ['[abc].c\n[!a-y]x\n[[:digit:]]*', ['a.c', 'd.c', 'bx', 'zx', '1file', 'file1']],
  ['\\#notcomment\n#comment', ['#notcomment', 'comment']],
  ['\\!bang', ['!bang', 'bang']],
  ['foo  \nbar\\ ', ['foo', 'bar ', 'bar']],
  ['foo**/bar', ['foobar', 'foo/bar', 'fooa/bar', 'foo/x/bar', 'fo/bar']],
  ['**', ['x', 'y/z']],
  ['a/**', ['a/x', 'a/b/c', 'b/a/x']],
  ['*\n!*/\n!*.keep', ['x.keep', 'd/y.keep', 'd/z.txt', 'z.txt']],
  ['a/b', ['a/b/c', 'x/a/b', 'a/bc']],
  ['*.tmp\r\nkeep\r', ['a.tmp', 'keep', 'b.tmp\r']],
  ['logs/**/*.log', ['logs/a.log', 'logs/x/b.log', 'logs/x/y/c.log', 'logs/d.txt']],
  ['\\*', ['*', 'x']],
  ['[]\nq[', ['q[', 'x']],
  ['*.[oa]', ['a.o', 'b.a', 'c.c']],
  ['sub/out/', ['sub/out/x', 'other/sub/out/y']],
  ['/*.c', ['x.c', 'd/y.c']],
  ['d*/', ['dx/f', 'dfile', 'e/dy/g']],
  ['*/x', ['a/x', 'a/b/x', 'x']],
  ['[]a]z\n[!]]q', [']z', 'az', 'bz', 'aq', ']q']],
  ['[a-]z\n[\\]]y', ['az', '-z', 'bz', ']y']],
  ['[[:alpha:]-9]w\n[[:foo:]]v\n[[:al]u', ['aw', '-w', '9w', '5w', 'av', '[u', ':u', 'lu', ']u']],
  ['a?b', ['a/b', 'axb']],
  ['x/[/]y', ['x/y']],
  ['**/d/**/e', ['d/e', 'q/d/e', 'd/r/s/e', 'qd/e']],
  ['m/***/n', ['m/n', 'm/o/n']],
  ['!', ['!']],
  ['/', ['slash']],
  ['\\', ['bs']],
  ['ab\\', ['ab\\', 'ab']],
  ['*\\/x', ['q/x', 'qx']],
  ['**\\/x', ['q/x', 'r/s/x', 'x']],
  ['$prec', ['$prec', 'prec']],
  [' lead', [' lead', 'lead']],
  ['tab\t', ['tab\t', 'tab']],
  ['n/m/', ['n/m/o', 'k/n/m/o']],
  ['*.TXT', ['a.txt', 'b.TXT']],
  ['\uFEFFbom', ['bom']],
  ['deep/\n!deep/', ['deep/x']],
  ['x[a-c', ['xa', 'x[a-c']],
  ['[z-a]r\n[a-c-e]s', ['ar', 'zr', 'as', 'ds', '-s', 'es']],
  ['*.js\n!/keep.js\n!sub/*.js', ['a.js', 'keep.js', 'sub/b.js', 'sub/deeper/c.js', 'x/keep.js']],
];

describe('gitignore matcher', () => {
  const t = tempDir();
  after(() => t.cleanup());

  test('parses lines as git does', () => {
    const rules = parseGitignore('\uFEFF# comment\n\n!neg/\r\n/anchored\nmid/dle\nname  \nesc\\ \n\\#hash\n\\!bang\n');
    assert.deepEqual(
      rules.map((r) => [r.negated, r.dirOnly, r.basename]),
      [[true, true, true], [false, false, false], [false, false, false], [false, false, true], [false, false, true], [false, false, true], [false, false, true]],
    );
    assert.equal(trimTrailingSpaces('a  '), 'a');
    assert.equal(trimTrailingSpaces('a\\  '), 'a\\ ');
    assert.equal(trimTrailingSpaces('a\t'), 'a\t');
  });

  test('deeper files override shallower ones; the last match wins', () => {
    const root = parseGitignore('*.log\n!keep.log\n');
    const sub = parseGitignore('keep.log\n!x.log\n', 'sub');
    assert.equal(decide([root], 'a.log', false), true);
    assert.equal(decide([root], 'keep.log', false), false);
    assert.equal(decide([root], 'a.txt', false), undefined);
    assert.equal(decide([root, sub], 'sub/keep.log', false), true);
    assert.equal(decide([root, sub], 'sub/x.log', false), false);
    // A pattern with a slash is anchored to its file's directory.
    assert.equal(decide([parseGitignore('a/b', 'sub')], 'sub/a/b', false), true);
    assert.equal(decide([parseGitignore('a/b', 'sub')], 'a/b', false), undefined);
  });

  test(`agrees with git on ${CASES.length} pattern cases`, { skip: noGit }, () => {
    const repo = join(t.dir, 'cases');
    mkdirSync(repo);
    git(t, ['init', '-q', repo]);
    CASES.forEach(([gitignore, paths], i) => {
      build(join(repo, `c${i}`), Object.fromEntries([['.gitignore', gitignore], ...paths.map((p) => [p, 'x'])]));
    });
    const want = new Set(gitFiles(t, repo));
    const got = new Set(walked(repo));
    const mismatches = [];
    CASES.forEach(([gitignore, paths], i) => {
      const all = ['.gitignore', ...paths].map((p) => `c${i}/${p}`);
      const g = all.filter((p) => want.has(p));
      const o = all.filter((p) => got.has(p));
      if (JSON.stringify(g) !== JSON.stringify(o)) mismatches.push({ gitignore, git: g, ironlung: o });
    });
    assert.deepEqual(mismatches, []);
    // The cases are not vacuous: git ignores a good share of the paths.
    const total = CASES.reduce((n, [, paths]) => n + paths.length + 1, 0);
    assert.ok(want.size < total - 60, `${want.size} of ${total}`);
  });

  test('agrees with git on a tree: nested .gitignore files, info/exclude, symlinks, a nested repository', { skip: noGit }, () => {
    const repo = join(t.dir, 'tree');
    mkdirSync(repo);
    git(t, ['init', '-q', repo]);
    build(repo, {
      '.gitignore': '*.log\n/build/\ntmp/\n!important.log\ndocs/**/*.draft\n*.tmp\n',
      '.git/info/exclude': '# local\nexcluded.txt\n',
      '.env': 'hidden files are not skipped',
      'README.md': 'readme',
      'app.log': 'ignored',
      'important.log': 'kept by negation',
      'excluded.txt': 'ignored by info/exclude',
      'build/out.js': 'ignored',
      'tmp/a.txt': 'ignored',
      'docs/guide.md': 'kept',
      'docs/x.draft': 'ignored',
      'docs/a/b/y.draft': 'ignored',
      'src/.gitignore': '*.rs\n!main.rs\ngen/\n/local.txt\n',
      'src/main.rs': 'kept',
      'src/lib.rs': 'ignored',
      'src/local.txt': 'ignored',
      'src/deep/local.txt': 'kept: /local.txt is anchored to src/',
      'src/gen/x.ts': 'ignored',
      'src/deep/gen': 'kept: gen/ matches directories only',
      'src/deep/.gitignore': '!app.log\n',
      'src/deep/app.log': 'kept: the deeper file re-includes it',
      'src/build/keep.js': 'kept: /build/ is anchored to the root',
      'src/x.tmp': 'ignored',
      'src/excluded.txt': 'ignored',
    });
    symlinkSync('.', join(repo, 'loop'));
    symlinkSync('..', join(repo, 'src', 'up'));
    symlinkSync('README.md', join(repo, 'link.md'));
    symlinkSync('cyc2', join(repo, 'cyc1'));
    symlinkSync('cyc1', join(repo, 'cyc2'));
    symlinkSync('nowhere', join(repo, 'dangling.log')); // ignored like any *.log
    const expected = gitFiles(t, repo);
    assert.deepEqual(walked(repo), expected);
    assert.ok(expected.includes('src/deep/app.log') && !expected.includes('app.log'));

    // Walking a subdirectory applies the .gitignore files above it and info/exclude.
    assert.deepEqual(walked(join(repo, 'src')), gitFiles(t, join(repo, 'src')));
    assert.ok(!walked(join(repo, 'src')).includes('x.tmp'));

    // A nested repository has its own rules, not the outer ones.
    const inner = join(repo, 'vendor', 'inner');
    mkdirSync(inner, { recursive: true });
    git(t, ['init', '-q', inner]);
    build(inner, { 'a.log': 'not ignored here', '.gitignore': 'b.txt\n', 'b.txt': 'ignored', 'c.md': 'kept' });
    const innerFiles = walked(repo).filter((p) => p.startsWith('vendor/inner/')).map((p) => p.slice('vendor/inner/'.length));
    assert.deepEqual(innerFiles, gitFiles(t, inner));
    assert.deepEqual(innerFiles, ['.gitignore', 'a.log', 'c.md']);
  });

  test('outside a repository .gitignore files still apply; ignore: false turns them off', () => {
    const dir = join(t.dir, 'plain');
    build(dir, { '.gitignore': '*.log\n', 'a.log': 'x', 'b.txt': 'x', 'sub/c.log': 'x', '.git': 'gitdir: /nonexistent\n' });
    assert.deepEqual(walked(dir), ['.gitignore', 'b.txt']);
    assert.deepEqual(walked(dir, { ignore: false }), ['.gitignore', 'a.log', 'b.txt', 'sub/c.log']);
    const bare = join(t.dir, 'bare');
    build(bare, { '.gitignore': 'x\n', x: 'x', y: 'y' });
    assert.deepEqual(walked(bare), ['.gitignore', 'y']);
  });

  test('symbolic links: none followed, to files or directories; each reported, never loops', () => {
    const dir = join(t.dir, 'links');
    build(dir, { 'real/f.txt': 'x' });
    symlinkSync('real', join(dir, 'dirlink'));
    symlinkSync('.', join(dir, 'real', 'self'));
    symlinkSync('real/f.txt', join(dir, 'filelink'));
    symlinkSync('missing', join(dir, 'broken'));
    const r = walk(dir);
    assert.deepEqual(r.files.map((p) => p.slice(dir.length + 1)).sort(), ['real/f.txt']);
    assert.deepEqual(
      r.skipped.map((s) => [s.path.slice(dir.length + 1), s.code]).sort(),
      [['broken', 'ERR_NOT_REGULAR_FILE'], ['dirlink', 'ERR_NOT_REGULAR_FILE'], ['filelink', 'ERR_NOT_REGULAR_FILE'], ['real/self', 'ERR_NOT_REGULAR_FILE']],
    );
    assert.match(r.skipped.find((s) => s.path.endsWith('dirlink')).message, /symbolic link to a directory, which is not followed/);
    assert.match(r.skipped.find((s) => s.path.endsWith('filelink')).message, /symbolic link to a file, which is not followed/);
  });
});
