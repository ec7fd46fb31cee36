// Packs what npm users get: the root `ironlung` package and the platform package(s), into
// target/pack/. The root manifest gains `optionalDependencies` on the platform packages
// here, at pack time (as napi-rs does at publish time), so that development installs never
// ask the registry for packages that are only published with a release.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'target', 'pack');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function npmPack(dir) {
  const json = execFileSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', out], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(json)[0];
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const platforms = readdirSync(join(root, 'npm')).filter((d) => existsSync(join(root, 'npm', d, 'package.json')));
const optional = {};
const tarballs = [];
for (const p of platforms) {
  const dir = join(root, 'npm', p);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.version !== pkg.version) throw new Error(`${manifest.name} is ${manifest.version}, root is ${pkg.version}`);
  if (!existsSync(join(dir, manifest.main))) {
    console.error(`pack: skipping ${manifest.name}: ${manifest.main} is not built here`);
    continue;
  }
  optional[manifest.name] = manifest.version;
  tarballs.push(join(out, npmPack(dir).filename));
}

// Stage the root package's files (as npm itself lists them) with the release manifest.
const stage = join(out, 'stage');
const listed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: root, encoding: 'utf8' }))[0].files;
for (const { path } of listed) {
  mkdirSync(dirname(join(stage, path)), { recursive: true });
  cpSync(join(root, path), join(stage, path));
}
delete pkg.devDependencies;
delete pkg.scripts;
pkg.optionalDependencies = optional;
writeFileSync(join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
const rootPack = npmPack(stage);
tarballs.unshift(join(out, rootPack.filename));
rmSync(stage, { recursive: true, force: true });

for (const t of tarballs) console.log(t);
console.error(`pack: ${rootPack.filename} is ${(rootPack.size / 1024).toFixed(0)} KiB packed, ${(rootPack.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${rootPack.entryCount} files`);
