'use strict';
// Picks the backend for Node and Bun: the platform's native addon, else the wasm build.
//
// IRONLUNG_BACKEND=native|wasm forces one. Every attempt that fails is recorded, so that a
// forced native backend that cannot load says exactly what was tried and why.

const fs = require('node:fs');
const path = require('node:path');
const { IronlungError } = require('./gen/errors.cjs');

function isMusl() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    try {
      return !process.report.getReport().header.glibcVersionRuntime;
    } catch {
      return false;
    }
  }
}

/** The platform triple in the napi-rs package convention, e.g. "linux-x64-gnu". */
function platformTriple() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function loadNative() {
  const triple = platformTriple();
  const candidates = [
    // The published platform package.
    `@ironlung/${triple}`,
    // A development checkout, where the build copies the addon here.
    path.join(__dirname, '..', 'npm', triple, `ironlung.${triple}.node`),
  ];
  const errors = [];
  for (const c of candidates) {
    try {
      return { binding: require(c), errors };
    } catch (e) {
      errors.push(`${c}: ${String(e && e.message).split('\n')[0]}`);
    }
  }
  return { binding: null, errors };
}

function loadWasm() {
  return require('../wasm/pkg-node/ironlung_wasm.js');
}

/** @returns {{ backend: 'native'|'wasm', binding: object, nativeErrors: string[] }} */
function load() {
  const forced = process.env.IRONLUNG_BACKEND;
  if (forced && forced !== 'native' && forced !== 'wasm') {
    throw new IronlungError('ERR_INVALID_ARG', `IRONLUNG_BACKEND must be 'native' or 'wasm', got ${JSON.stringify(forced)}`);
  }
  if (forced === 'wasm') return { backend: 'wasm', binding: loadWasm(), nativeErrors: [] };
  const native = loadNative();
  if (native.binding) return { backend: 'native', binding: native.binding, nativeErrors: [] };
  if (forced === 'native') {
    throw new IronlungError(
      'ERR_BACKEND_UNAVAILABLE',
      `IRONLUNG_BACKEND=native, but no native addon loads on ${process.platform}-${process.arch}; tried:\n  ${native.errors.join('\n  ')}`,
    );
  }
  return { backend: 'wasm', binding: loadWasm(), nativeErrors: native.errors };
}

module.exports = { load, platformTriple };
