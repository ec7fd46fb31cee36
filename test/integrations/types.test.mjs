// The shipped declarations, as TypeScript users meet them: a strict project with NodeNext
// resolution (an ES module and a CommonJS module), one with Bundler resolution, one with
// exactOptionalPropertyTypes and noUncheckedIndexedAccess on, and one with Node's types and no DOM lib, each
// type-checked by the real `tsc` against the packed package installed from its tarball;
// and @arethetypeswrong/cli on the packed root package, which must report no problem.
//
//   node --test test/integrations/types.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const bin = (tool) => join(here, 'node_modules', '.bin', tool);
const scratch = join(repo, 'target', 'integrations', 'types');

function tarballs() {
  const list = process.env.IRONLUNG_TARBALLS || execFileSync('node', ['scripts/pack.mjs'], { cwd: repo, encoding: 'utf8' });
  const out = list.split('\n').map((l) => l.trim()).filter(Boolean).map((p) => (isAbsolute(p) ? p : join(repo, p)));
  for (const t of out) assert.ok(existsSync(t), `tarball ${t} does not exist`);
  return out;
}

function project(name) {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(here, 'types', name), dir, { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs()], { cwd: dir, stdio: 'pipe' });
  return dir;
}

function tsc(dir) {
  const r = spawnSync(bin('tsc'), ['-p', dir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `tsc -p ${dir}:\n${r.stdout}${r.stderr}`);
}

test('tsc --strict, NodeNext: an ES module and a CommonJS module', () => tsc(project('nodenext')));

test('tsc --strict, Bundler resolution', () => tsc(project('bundler')));

test('tsc --strict with exactOptionalPropertyTypes and noUncheckedIndexedAccess (ESM and CJS)', () => tsc(project('exact')));

test("tsc --strict, a Node-only project: Node's types, no DOM lib", () => tsc(project('node')));

test('@arethetypeswrong/cli finds no problem in the packed package', () => {
  const r = spawnSync(bin('attw'), [tarballs()[0], '--format', 'json'], { encoding: 'utf8', timeout: 120_000 });
  const report = JSON.parse(r.stdout);
  const problems = report.analysis?.problems ?? report.problems ?? [];
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 2));
  assert.equal(r.status, 0, r.stderr);
});
