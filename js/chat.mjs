// @ts-check
// countChat: the prompt tokens of an OpenAI chat request, computed on the public API only
// (`encodingForModel` and `Encoding.count`), so both backends agree by construction.
//
// The formula (README, "countChat", says the same with its sources):
//
//   countChat = 3                                       reply priming <|start|>assistant<|message|>
//             + Σ over messages:
//                 P                                     P = 3 per message (4 for gpt-3.5-turbo-0301)
//               + count(role)
//               + count(content)                        a string; for an array, Σ count(text) over its
//                                                       { type: 'text' } parts (others count 0);
//                                                       null or absent counts 0
//               + count(name) + N                       if name is a non-empty string;
//                                                       N = 1 (-1 for gpt-3.5-turbo-0301)
//               + count(fc.name) + count(fc.arguments) + 3            for a function_call
//               + Σ count(tc.function.name) + count(tc.function.arguments) + 3   over tool_calls
//                   (a custom call: count(tc.custom.name) + count(tc.custom.input) + 3)
//               - 2                                     if role is 'function'
//             + T(tools)                                if tools is a non-empty array
//
//   T(tools)  = 12 + Σ over tools:
//                 F + count(name + ':' + desc)          F = 7 for o200k models, 10 for cl100k models
//                                                       (a custom tool: this term alone)
//               + if properties is non-empty:
//                   3 + Σ over properties key → p:
//                       3 + count(key + ':' + type + ':' + desc)
//                     + if p.enum is an array: -3 + Σ over items (3 + count(item))
//
//   `desc` is the description without one trailing '.', '' when absent; `type` is p.type
//   (JSON-encoded when it is not a string, '' when absent). count() is Encoding.count: the
//   model's encoding, with special-token text counted as ordinary text.
//
// Sources:
// - Messages, names, priming: OpenAI cookbook, "How to count tokens with tiktoken",
//   `num_tokens_from_messages` (section 6): tokens_per_message = 3 and tokens_per_name = 1 for
//   gpt-3.5-turbo-0613/0125, gpt-4-0314/0613, gpt-4o-2024-08-06, gpt-4o-mini-2024-07-18, and
//   (in an earlier revision of the notebook) 4 and -1 for gpt-3.5-turbo-0301; +3 for every
//   reply. Its published API-verified totals for its example conversation (129 on
//   gpt-4/gpt-3.5-turbo, 124 on gpt-4o/gpt-4o-mini, 127 on gpt-3.5-turbo-0301) are reproduced
//   by __test__/chat.test.mjs.
// - Tool definitions: the same notebook, `num_tokens_for_tools` (section 7), with its constants
//   (func_init 7 for gpt-4o/gpt-4o-mini, 10 for gpt-3.5-turbo/gpt-4; prop_init 3, prop_key 3,
//   enum_init -3, enum_item 3, func_end 12). Its published API-verified totals (101 on gpt-4o,
//   105 on gpt-4) are reproduced by the tests.
// - function_call (+3 besides its name and arguments) and role 'function' (-2): gpt-tokenizer's
//   `countChatCompletionTokens` (src/functionCalling.ts, after hmarr/openai-chat-tokens).
// - tool_calls: counted like function_call, once per call. OpenAI documents no rule for them;
//   this extends the function_call rule. Ids (tool_calls[].id, tool_call_id) are not counted.
//   A custom tool call (`type: 'custom'`, GPT-5's free-form tools) counts its name and input as
//   a function call counts its name and arguments; a custom tool definition counts as a
//   function without parameters, its `format` (a grammar that constrains the output) not at
//   all. OpenAI documents neither.
// - Content parts: OpenAI documents no rule; each text part is counted on its own (the
//   cookbook counts every string value on its own), so a part boundary inside a word can
//   count one token more than the joined text.
//
// Model families: every model whose encoding is o200k_base or o200k_harmony (gpt-4o, gpt-4.1,
// gpt-5, o1/o3/o4, gpt-oss) gets the gpt-4o rules; cl100k_base (gpt-4, gpt-3.5-turbo) the
// gpt-4 rules, except the message and name overheads of gpt-3.5-turbo-0301. The counts are
// estimates: OpenAI says the formatting may change from model to model.

import { IronlungError, invalidArg, needString, typeName } from './errors.mjs';

/** @import { ChatMessage, CountChatOptions } from 'ironlung' */

/**
 * `count` with '' counting 0 (Encoding.count of the model's encoding).
 * @typedef {(text: string) => number} Count
 */
/**
 * An object of the request, each of whose fields is checked where it is used.
 * @typedef {Record<string, unknown>} Json
 */
/**
 * P and N of the formula above.
 * @typedef {{ perMessage: number, perName: number }} Rules
 */

/** @type {Record<string, { funcInit: number }>} */
const FAMILY = {
  o200k_base: { funcInit: 7 },
  o200k_harmony: { funcInit: 7 },
  cl100k_base: { funcInit: 10 },
};

const REPLY_PRIMING = 3;
const FUNCTION_CALL_OVERHEAD = 3;
const FUNCTION_ROLE_DISCOUNT = 2;
const TOOLS_END = 12;
const PROPERTIES_INIT = 3;
const PROPERTY_KEY = 3;
const ENUM_INIT = -3;
const ENUM_ITEM = 3;

/**
 * @param {unknown} v
 * @returns {v is Json}
 */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `list[i]`; a hole in the array (`[, m]`) is ERR_INVALID_ARG that says so, where its value
 * would read as undefined.
 * @param {readonly unknown[]} list
 * @param {number} i
 * @param {string} what
 * @param {string} expected
 */
function slot(list, i, what, expected) {
  if (!(i in list)) throw invalidArg(`${what} is an empty slot (a hole in the array); expected ${expected}`);
  return list[i];
}

/**
 * @param {unknown} v
 * @param {string} what
 */
function needObject(v, what) {
  if (!isObject(v)) throw invalidArg(`${what} must be an object, got ${typeName(v)}`);
  return v;
}

/**
 * An optional field: undefined and null mean absent.
 * @param {unknown} v
 * @param {string} what
 */
function optString(v, what) {
  if (v === undefined || v === null) return '';
  return needString(v, what);
}

/** @param {string} s */
function withoutFinalDot(s) {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/**
 * A call's name and its input (`arguments` of a function call, `input` of a custom one).
 * @param {Count} count
 * @param {unknown} call
 * @param {string} what
 * @param {'arguments' | 'input'} [input]
 */
function callTokens(count, call, what, input = 'arguments') {
  const c = needObject(call, what);
  return count(needString(c.name, `${what}.name`)) + count(needString(c[input], `${what}.${input}`)) + FUNCTION_CALL_OVERHEAD;
}

/**
 * A tool definition's name and description (a function's, or a custom tool's).
 * @param {Count} count
 * @param {number} funcInit
 * @param {Json} def
 * @param {string} what
 */
function toolHeadTokens(count, funcInit, def, what) {
  const name = needString(def.name, `${what}.name`);
  return funcInit + count(`${name}:${withoutFinalDot(optString(def.description, `${what}.description`))}`);
}

/**
 * @param {Count} count
 * @param {unknown} content
 * @param {string} what
 */
function contentTokens(count, content, what) {
  if (content === undefined || content === null) return 0;
  if (typeof content === 'string') return count(content);
  if (!Array.isArray(content)) {
    throw invalidArg(`${what} must be a string, null or an array of content parts, got ${typeName(content)}`);
  }
  let n = 0;
  for (let j = 0; j < content.length; j++) {
    const part = slot(content, j, `${what}[${j}]`, 'a content part');
    if (!isObject(part) || typeof part.type !== 'string') {
      throw invalidArg(`${what}[${j}] must be a content part: an object with a string type, got ${typeName(part)}`);
    }
    if (part.type === 'text') n += count(needString(part.text, `${what}[${j}].text`));
  }
  return n;
}

/**
 * @param {Count} count
 * @param {ChatMessage} m
 * @param {number} i
 * @param {Rules} rules
 */
function messageTokens(count, m, i, rules) {
  const what = `messages[${i}]`;
  needObject(m, what);
  const role = needString(m.role, `${what}.role`);
  let n = rules.perMessage + count(role) + contentTokens(count, m.content, `${what}.content`);
  const name = optString(m.name, `${what}.name`);
  if (name !== '') n += count(name) + rules.perName;
  optString(m.tool_call_id, `${what}.tool_call_id`);
  if (m.function_call !== undefined && m.function_call !== null) {
    n += callTokens(count, m.function_call, `${what}.function_call`);
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw invalidArg(`${what}.tool_calls must be an array, got ${typeName(m.tool_calls)}`);
    for (let j = 0; j < m.tool_calls.length; j++) {
      const where = `${what}.tool_calls[${j}]`;
      const call = needObject(slot(m.tool_calls, j, where, 'a tool call object'), where);
      n += call.type === 'custom' ? callTokens(count, call.custom, `${where}.custom`, 'input') : callTokens(count, call.function, `${where}.function`);
    }
  }
  if (role === 'function') n -= FUNCTION_ROLE_DISCOUNT;
  return n;
}

/**
 * `v` as the JSON text OpenAI's prompt holds; a value JSON cannot write is ERR_INVALID_ARG.
 * @param {unknown} v
 * @param {string} what
 */
function jsonText(v, what) {
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw invalidArg(`${what} cannot be written as JSON (${e && e.message}), got ${typeName(v)}`);
  }
  return text ?? String(v);
}

/**
 * @param {Count} count
 * @param {unknown} tools
 * @param {number} funcInit
 */
function toolsTokens(count, tools, funcInit) {
  if (tools === undefined || tools === null) return 0;
  if (!Array.isArray(tools)) throw invalidArg(`tools must be an array of tool definitions, got ${typeName(tools)}`);
  if (tools.length === 0) return 0;
  let n = TOOLS_END;
  for (let i = 0; i < tools.length; i++) {
    const what = `tools[${i}]`;
    const tool = needObject(slot(tools, i, what, 'a tool definition'), what);
    if (tool.type === 'custom') {
      n += toolHeadTokens(count, funcInit, needObject(tool.custom, `${what}.custom`), `${what}.custom`);
      continue;
    }
    if (tool.type !== 'function') {
      throw invalidArg(`${what}.type must be 'function' or 'custom' (the tool types of Chat Completions), got ${typeName(tool.type)}`);
    }
    const fn = needObject(tool.function, `${what}.function`);
    n += toolHeadTokens(count, funcInit, fn, `${what}.function`);
    if (fn.parameters === undefined || fn.parameters === null) continue;
    const parameters = needObject(fn.parameters, `${what}.function.parameters`);
    if (parameters.properties === undefined || parameters.properties === null) continue;
    const properties = needObject(parameters.properties, `${what}.function.parameters.properties`);
    const keys = Object.keys(properties);
    if (keys.length === 0) continue;
    n += PROPERTIES_INIT;
    for (const key of keys) {
      const p = needObject(properties[key], `${what}.function.parameters.properties[${JSON.stringify(key)}]`);
      n += PROPERTY_KEY;
      if (Array.isArray(p.enum)) {
        n += ENUM_INIT;
        const where = `${what}.function.parameters.properties[${JSON.stringify(key)}]`;
        for (let j = 0; j < p.enum.length; j++) {
          const item = slot(p.enum, j, `${where}.enum[${j}]`, 'an enum value');
          n += ENUM_ITEM + count(typeof item === 'string' ? item : jsonText(item, `${where}.enum[${j}]`));
        }
      }
      const type =
        p.type === undefined
          ? ''
          : typeof p.type === 'string'
            ? p.type
            : jsonText(p.type, `${what}.function.parameters.properties[${JSON.stringify(key)}].type`);
      const desc = typeof p.description === 'string' ? withoutFinalDot(p.description) : '';
      n += count(`${key}:${type}:${desc}`);
    }
  }
  return n;
}

/**
 * `countChat(messages, { model, tools })` over an ironlung API object.
 * @param {{ encodingForModel(model: string): { name: string, count(text: string): number } }} api
 */
export function createCountChat(api) {
  if (!api || typeof api.encodingForModel !== 'function') {
    throw new TypeError('createCountChat needs an ironlung API object (one with encodingForModel)');
  }
  /**
   * @param {readonly ChatMessage[]} messages
   * @param {CountChatOptions} options
   */
  return function countChat(messages, options) {
    if (!isObject(options)) throw invalidArg(`countChat options must be an object with a model, got ${typeName(options)}`);
    const model = needString(options.model, 'options.model');
    const enc = api.encodingForModel(model);
    const family = Object.prototype.hasOwnProperty.call(FAMILY, enc.name) ? FAMILY[enc.name] : undefined;
    if (!family) {
      throw new IronlungError(
        'ERR_UNKNOWN_MODEL',
        `countChat does not know the chat format of model "${model}" (encoding ${enc.name}); it counts chat models whose encoding is o200k_base, o200k_harmony or cl100k_base`,
      );
    }
    const legacy = /^gpt-3\.5-turbo-0301$/.test(model);
    const rules = legacy ? { perMessage: 4, perName: -1 } : { perMessage: 3, perName: 1 };
    if (!Array.isArray(messages)) throw invalidArg(`messages must be an array of chat messages, got ${typeName(messages)}`);
    const count = (/** @type {string} */ text) => (text === '' ? 0 : enc.count(text));
    let n = REPLY_PRIMING;
    for (let i = 0; i < messages.length; i++) n += messageTokens(count, /** @type {ChatMessage} */ (slot(messages, i, `messages[${i}]`, 'a message object')), i, rules);
    return n + toolsTokens(count, options.tools, family.funcInit);
  };
}
