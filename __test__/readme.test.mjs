// Every code block in the README is exercised, so the documentation cannot drift from what
// ships. Each block is preceded by a `<!-- readme-test: KIND ... -->` line saying how:
//
//   run node          written to a file and run by Node (on the backend under test) beside a
//                     notes.md, importing the package by its name
//   run deno          run by Deno with --allow-read, importing `npm:ironlung`
//   same-as PATH      its lines appear, in order, in consecutive lines of PATH, a file that
//                     a test runs (an integration app, a test file)
//   console [cwd=D]   `$ command` lines run by bash (`ironlung` is bin/ironlung.cjs, and
//                     `require('ironlung')` finds this checkout), each followed by exactly
//                     what it prints (stdout and stderr); in a copy of D, or with `tmp` in an
//                     empty temporary directory, else in the repository
//   usage             each `ironlung CMD ...` line: every --option it names is in
//                     `ironlung CMD --help` (`ironlung log SUB --help` for `ironlung log SUB`)
//   ci                a command that CI itself runs (.ci/run runs `npm test`, which installs
//                     the packed package and runs `npm start`'s CLI)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il, tempDir } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The README's fenced blocks: { kind, args, lang, body, line }. */
function blocks() {
  const out = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    let j = start - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    const tag = /^<!-- readme-test: (\S+)(?: (.*))? -->$/.exec(lines[j] ?? '');
    out.push({ kind: tag?.[1], args: tag?.[2] ?? '', lang: open[1], body: lines.slice(start + 1, end).join('\n'), line: start + 1 });
    i = end;
  }
  return out;
}

const all = blocks();
const trimmed = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

describe(`README code blocks (${il.backend})`, () => {
  const t = tempDir();
  const shims = t.path('bin');
  before(() => {
    mkdirSync(shims);
    writeFileSync(join(shims, 'ironlung'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', 'ironlung.cjs')}" "$@"\n`);
    chmodSync(join(shims, 'ironlung'), 0o755);
    // A project that has installed ironlung: node_modules/ironlung is this checkout.
    mkdirSync(t.path('project/node_modules'), { recursive: true });
    symlinkSync(root, t.path('project/node_modules/ironlung'));
    writeFileSync(t.path('project/package.json'), '{ "name": "readme-snippets", "private": true, "type": "module" }\n');
    writeFileSync(t.path('project/notes.md'), '# Notes\n\nThe agent read this file into its prompt. '.repeat(50));
    cpSync(join(root, 'README.md'), t.path('project/README.md'));
  });
  after(() => t.cleanup());

  test('every block says how it is tested', () => {
    const untagged = all.filter((b) => !['run', 'same-as', 'console', 'usage', 'ci'].includes(b.kind));
    assert.deepEqual(untagged.map((b) => `README.md:${b.line}`), []);
  });

  for (const b of all.filter((x) => x.kind === 'run')) {
    test(`README.md:${b.line} runs under ${b.args}`, () => {
      const file = t.path(`project/snippet-${b.line}.mjs`);
      writeFileSync(file, b.body + '\n');
      const r =
        b.args === 'node'
          ? spawnSync(process.execPath, [file], { cwd: t.path('project'), encoding: 'utf8', timeout: 60_000 })
          : spawnSync(join(root, 'node_modules', '.bin', 'deno'), ['run', '--allow-read', file], {
              cwd: t.path('project'),
              encoding: 'utf8',
              timeout: 60_000,
              env: { ...process.env, NO_COLOR: '1' },
            });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\d+\n$/, 'a snippet prints its result');
      const named = /\b(native|wasm)\b/.exec(r.stdout)?.[1];
      if (named) assert.equal(named, b.args === 'deno' ? 'wasm' : il.backend);
    });
  }

  for (const b of all.filter((x) => x.kind === 'same-as')) {
    test(`README.md:${b.line} is what ${b.args} runs`, () => {
      const want = trimmed(b.body);
      const have = trimmed(readFileSync(join(root, b.args), 'utf8'));
      // Each line of the block is a whole line of the file, or part of one (a command inside a
      // package.json script).
      const at = have.findIndex((_, i) => want.every((l, k) => have[i + k] !== undefined && have[i + k].includes(l)));
      assert.notEqual(at, -1, `the block at README.md:${b.line} is not in ${b.args}:\n${b.body}`);
    });
  }

  for (const b of all.filter((x) => x.kind === 'console')) {
    test(`README.md:${b.line}: the console session prints what it shows`, () => {
      const cwdArg = /cwd=(\S+)/.exec(b.args)?.[1];
      let cwd = root;
      if (/(^| )tmp( |$)/.test(b.args)) {
        cwd = t.path(`tmp-${b.line}`);
        mkdirSync(cwd);
      } else if (cwdArg) {
        // A copy outside any repository, plus what git cannot hold: an ignored file and a binary one.
        cwd = t.path(`tree-${b.line}`);
        cpSync(join(root, cwdArg), cwd, { recursive: true });
        mkdirSync(join(cwd, 'target'));
        writeFileSync(join(cwd, 'target', 'build.log'), 'ignored by .gitignore\n');
        writeFileSync(join(cwd, 'logo.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
      }
      const session = b.body.split('\n');
      for (let i = 0; i < session.length; ) {
        assert.match(session[i], /^\$ /, `README.md:${b.line + 1 + i}: a console block starts each command with "$ "`);
        const cmd = session[i].slice(2);
        let j = i + 1;
        while (j < session.length && !session[j].startsWith('$ ')) j++;
        const expected = session.slice(i + 1, j).join('\n');
        const r = spawnSync('bash', ['-c', `${cmd} 2>&1`], {
          cwd,
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, PATH: `${shims}:${process.env.PATH}`, NODE_PATH: t.path('project/node_modules') },
        });
        assert.equal(r.stdout.replace(/\n$/, ''), expected, `$ ${cmd}`);
        i = j;
      }
    });
  }

  for (const b of all.filter((x) => x.kind === 'usage')) {
    test(`README.md:${b.line}: every option in the synopsis is in the command's --help`, () => {
      for (const line of b.body.split('\n')) {
        const cmd = /^ironlung (log \w+|[\w-]+)/.exec(line)?.[1];
        if (!cmd || cmd === 'COMMAND') continue;
        const help = spawnSync(process.execPath, [join(root, 'bin', 'ironlung.cjs'), ...cmd.split(' '), '--help'], { encoding: 'utf8' });
        assert.equal(help.status, 0, help.stderr);
        const synopsis = line.split('#')[0];
        for (const opt of synopsis.match(/--[a-z][a-z-]*/g) ?? []) {
          if (opt === '--help') continue;
          assert.ok(help.stdout.includes(opt), `ironlung ${cmd} --help does not mention ${opt}`);
        }
      }
    });
  }

  test('the ci blocks are what CI runs', () => {
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    assert.match(ci, /^npm test$/m);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const b of all.filter((x) => x.kind === 'ci')) {
      for (const cmd of trimmed(b.body).map((l) => l.split('#')[0].trim())) {
        const m = /^npm (start|test|install ironlung)\b/.exec(cmd);
        assert.ok(m, `README.md:${b.line}: "${cmd}" is not a command CI runs`);
        if (m[1] !== 'install ironlung') assert.ok(pkg.scripts[m[1]], `package.json has no ${m[1]} script`);
      }
    }
  });
});
