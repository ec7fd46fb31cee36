// @ts-check
'use strict';
// The Node and Bun entry (CommonJS; js/node.mjs re-exports this same instance for ESM, so
// a program that mixes require and import shares one backend and one set of encodings).
// It requires the ES modules the other entries import: every Node in package.json's engines
// loads an ES module without top-level await through require(), so they must keep none.
// The package ships it bundled with them (js/node.bundle.cjs, scripts/build.sh), which
// starts without Node's ES module loader; this file is the bundle's source.

const { load, assetPath } = require('./loader.cjs');
const { createApi, checkInitArg } = require('./api.mjs');
const { fileHost } = require('./fsread.mjs');
const { createLogs } = require('./log.mjs');
const { nativeLogFiles, nodeLogFiles } = require('./logfiles.mjs');
const { wasmInstance } = require('./wasminstance.mjs');

const loaded = load();
const { backend, wasm, nativeErrors } = loaded;
const instance = backend === 'wasm' ? wasmInstance(loaded.binding) : null;
// `wasm` comes with the wasm backend, as `instance` does.
if (instance) instance.attach(/** @type {NonNullable<typeof wasm>} */ (wasm));
const binding = instance ? instance.binding : loaded.binding;
const fs = require('node:fs');
const { Transform } = require('node:stream');
const { Buffer } = require('node:buffer');
/** @param {string} table */
const rankFile = (table) => assetPath(`${table}.wasm`);

/**
 * The host's session log, over the binding (the whole wasm glue, log included, on the wasm
 * backend) and `files`.
 * @param {import('./logfiles.mjs').LogFiles} files
 * @returns {import('./api.mjs').Host['logs']}
 */
const logsOver = (files) => (deps) => createLogs({ ...deps, binding, files });

/** @type {import('./api.mjs').Host} */
const host =
  backend === 'native'
    ? {
        backend,
        nativeLoadErrors: nativeErrors,
        offThread: true,
        readTextFileSync: (path, max) => binding.readTextFileSync(path, max),
        readTextFile: (path, max) => binding.readTextFile(path, max),
        readForContext: (path, max, id, maxTokens, cut) => binding.readForContext(path, max, id, maxTokens, cut),
        logs: logsOver(nativeLogFiles(/** @type {any} */ (binding))),
        Transform,
        unzeroed(size) {
          const b = Buffer.allocUnsafeSlow(size);
          // A runtime that handed out part of a larger buffer would let the reader of a
          // decoded chunk reach the rest: zeroed memory of its own, then.
          if (b.byteOffset !== 0 || b.buffer.byteLength !== size) return new Uint8Array(size);
          return new Uint8Array(b.buffer, 0, size);
        },
      }
    : {
        backend,
        nativeLoadErrors: nativeErrors,
        offThread: false,
        ...fileHost(binding),
        logs: logsOver(nodeLogFiles(binding)),
        // Not the native backend: `instance` is set.
        onTrap: /** @type {NonNullable<typeof instance>} */ (instance).onTrap,
        writeUtf8: /** @type {NonNullable<typeof instance>} */ (instance).writeUtf8,
        epoch: /** @type {NonNullable<typeof instance>} */ (instance).epoch,
        Transform,
        readRanksSync: (table) => fs.readFileSync(rankFile(table)),
        readRanks: async (table) => fs.promises.readFile(rankFile(table)),
      };

const api = createApi(binding, host);
/** Already initialised under Node and Bun; kept so code can call it on every runtime. */
api.init = async (/** @type {unknown} */ moduleOrBytes) => checkInitArg(moduleOrBytes);
// `require('ironlung').default` too, so code written for the ES module default works.
api.default = api;
module.exports = api;
