// @ts-check
'use strict';
// Command-line options of one `ironlung` command: node:util parseArgs (strict, positionals
// allowed), then the CLI's own checks of integer and choice values. Every mistake is a
// UsageError whose message is one line naming what the user typed.

const { parseArgs } = require('node:util');

class UsageError extends Error {
  /**
   * @param {string} message one line
   * @param {string} [command] the command whose --help to point at
   */
  constructor(message, command) {
    super(message);
    this.command = command;
  }
}

/**
 * An option of a command:
 *   { type: 'flag' }                        --json
 *   { type: 'string', arg: 'TEXT' }         --marker TEXT
 *   { type: 'int', arg: 'N', min: 0 }       --max-tokens N (min, max: bounds, if any)
 *   { type: 'choice', choices: [...] }      --sort path|tokens|bytes
 * each with `help`, its line in the command's usage.
 * @typedef {{ help: string } & (
 *   | { type: 'flag', arg?: undefined }
 *   | { type: 'string', arg: string }
 *   | { type: 'int', arg: string, min?: number, max?: number }
 *   | { type: 'choice', choices: string[] }
 * )} Option
 */
/** @typedef {Record<string, Option>} Options a command's options, by long name */
/** @typedef {NonNullable<import('node:util').ParseArgsConfig['options']>} Config parseArgs' options */
/**
 * One of parseArgs' tokens (`tokens: true`), as far as diagnose reads them.
 * @typedef {{ kind: 'option', name: string, rawName: string, value: string | undefined, inlineValue: boolean | undefined }
 *   | { kind: 'positional' | 'option-terminator' }} Token
 */

/**
 * @param {Options} options
 * @returns {Config}
 */
function parseConfig(options) {
  /** @type {Config} */
  const config = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(options)) config[name] = { type: o.type === 'flag' ? 'boolean' : 'string' };
  return config;
}

/**
 * `--level -5` as `--level=-5`: parseArgs (strict) takes no value that starts with a dash.
 * @param {string[]} argv
 * @param {Options} options
 */
function joinNegativeNumbers(argv, options) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const o = a.startsWith('--') && Object.hasOwn(options, a.slice(2)) ? options[a.slice(2)] : undefined;
    if (o && o.type === 'int' && i + 1 < argv.length && /^-\d/.test(argv[i + 1])) {
      out.push(`${a}=${argv[++i]}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * The first mistake among parseArgs' tokens (from a non-strict parse), as one line.
 * @param {string} command
 * @param {Config} config
 * @param {Token[]} tokens
 */
function diagnose(command, config, tokens) {
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const o = Object.hasOwn(config, t.name) ? config[t.name] : undefined;
    if (!o) return `unknown option ${t.rawName} for ${command}`;
    if (o.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value, got ${JSON.stringify(t.value)}`;
    if (o.type === 'string') {
      if (t.value === undefined) return `${t.rawName} needs a value`;
      if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) {
        return `${t.rawName} ${t.value} is ambiguous: write ${t.rawName}=${t.value} for a value that starts with -`;
      }
    }
  }
  return undefined;
}

/**
 * "a non-negative integer" and the like, for an int option's message.
 * @param {number | undefined} min
 */
function integerKind(min) {
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  if (min === undefined) return 'an integer';
  return `an integer of at least ${min}`;
}

/** @param {string[]} choices */
function listed(choices) {
  return choices.length === 1 ? choices[0] : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/**
 * @param {string} command
 * @param {string} name
 * @param {Option} o
 * @param {string} raw
 */
function checkValue(command, name, o, raw) {
  const flag = `--${name}`;
  if (o.type === 'choice') {
    if (!o.choices.includes(raw)) throw new UsageError(`${flag} must be ${listed(o.choices)}, got ${JSON.stringify(raw)}`, command);
    return raw;
  }
  if (o.type === 'int') {
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(n) || (o.min !== undefined && n < o.min)) {
      throw new UsageError(`${flag} must be ${integerKind(o.min)}, got ${JSON.stringify(raw)}`, command);
    }
    // Past 2^53 - 1 a number no longer holds every integer: that is the limit when none is set.
    const max = o.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${flag} must be at most ${max}, got ${JSON.stringify(raw)}`, command);
    return n;
  }
  return raw;
}

/**
 * The options given to a command, by long name: ints as numbers, flags as true, the others
 * as strings. Which names and types depends on the command named at run time.
 * @typedef {Record<string, any>} Opts
 */

/**
 * Parses the arguments of `command`.
 * @param {string} command
 * @param {Options} options
 * @param {string[]} argv
 * @returns {{ help: true } | { help: false, opts: Opts, rest: string[] }} `opts` holds the
 *   given options only, `rest` the positionals.
 * @throws {UsageError}
 */
function parseCommand(command, options, argv) {
  const config = parseConfig(options);
  const args = joinNegativeNumbers(argv, options);
  let parsed;
  try {
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: true });
  } catch (e) {
    const loose = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
    // --help wins, even beside a mistake.
    if (loose.tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { help: true };
    throw new UsageError(diagnose(command, config, loose.tokens) || String(e.message).split('\n')[0], command);
  }
  if (parsed.values.help) return { help: true };
  /** @type {Opts} */
  const opts = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    // parseConfig made every option but a flag a 'string' one.
    if (name !== 'help') opts[name] = options[name].type === 'flag' ? true : checkValue(command, name, options[name], /** @type {string} */ (raw));
  }
  return { help: false, opts, rest: parsed.positionals };
}

/**
 * A command's option lines for its usage: `  --sort path|tokens|bytes  order of ...`.
 * @param {Options} options
 */
function optionLines(options) {
  const rows = Object.entries(options).map(([name, o]) => {
    const arg = o.type === 'choice' ? o.choices.join('|') : o.arg;
    return [`--${name}${arg ? ` ${arg}` : ''}`, o.help];
  });
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n');
}

module.exports = { UsageError, parseCommand, optionLines };
