// @ts-check
// ES module entry for Node and Bun: the CommonJS entry's instance (see js/node-api.mjs),
// with its names exported from the list in js/names.mjs.
export * from './gen/node.mjs';
export { default } from './gen/node.mjs';
