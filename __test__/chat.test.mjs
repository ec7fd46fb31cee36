// countChat against gpt-tokenizer's chat counting and the OpenAI cookbook's published numbers.
//
// Two gpt-tokenizer functions serve as references:
// - `encodeChat` (and `isWithinTokenLimit` with a chat): the ChatML / harmony rendering of the
//   messages. It renders role, name and content only.
// - `computeChatCompletionTokenCount` (what its `countChatCompletionTokens` calls): the
//   hmarr/openai-chat-tokens estimate, with function_call and `functions` definitions.
// Where countChat differs from them by design, `designDiff` below states the difference rule
// by rule, computed with gpt-tokenizer's own token counts, and the tests assert it exactly;
// README, "countChat", explains each rule. Every count is also pinned, on both backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeChatCompletionTokenCount } from 'gpt-tokenizer/functionCalling';
import { il, rng, throwsCode } from './helpers.mjs';

const { createCountChat } = await import('../js/chat.mjs');
const countChat = il.countChat;
assert.equal(typeof createCountChat, 'function');

// gpt-tokenizer has no gpt-3.5-turbo-0301 module; its gpt-3.5-turbo chat format is 0301's
// (`<|im_start|>{role or name}\n{content}<|im_end|>\n`), so that module is the reference.
const GT_MODULE = { 'gpt-3.5-turbo-0301': 'gpt-3.5-turbo' };
const gtCache = new Map();
async function gt(model) {
  const name = GT_MODULE[model] ?? model;
  if (!gtCache.has(name)) gtCache.set(name, await import(`gpt-tokenizer/model/${name}`));
  const mod = gtCache.get(name);
  const count = (text) => (text ? mod.countTokens(text) : 0);
  return {
    count,
    /** encodeChat's length; isWithinTokenLimit with a chat must agree. */
    chat(messages, options) {
      const n = mod.encodeChat(messages, undefined, options).length;
      assert.equal(mod.isWithinTokenLimit(messages, Infinity, options), n, 'gpt-tokenizer: isWithinTokenLimit(chat) = encodeChat().length');
      return n;
    },
    request: (request) => computeChatCompletionTokenCount(request, count),
  };
}

/** The messages in gpt-tokenizer's shape: string content (text parts joined), no tool_calls. */
function toGt(messages) {
  return messages.map(({ tool_calls, tool_call_id, content, ...m }) => ({
    ...m,
    content: Array.isArray(content) ? content.filter((p) => p.type === 'text').map((p) => p.text).join('') : content ?? '',
  }));
}

const isO200k = (model) => /^(gpt-4o|gpt-4\.1|gpt-5|o\d|gpt-oss)/.test(model);

/** An independent implementation of the cookbook's num_tokens_for_tools, on gpt-tokenizer's counts. */
function cookbookTools(tools, model, count) {
  if (!tools || tools.length === 0) return 0;
  const strip = (s) => (s.endsWith('.') ? s.slice(0, -1) : s);
  let n = 0;
  for (const { function: f } of tools) {
    n += isO200k(model) ? 7 : 10; // func_init
    n += count(`${f.name}:${strip(f.description ?? '')}`);
    const props = f.parameters?.properties ?? {};
    if (Object.keys(props).length > 0) {
      n += 3; // prop_init
      for (const [key, p] of Object.entries(props)) {
        n += 3; // prop_key
        if (Array.isArray(p.enum)) {
          n += -3; // enum_init
          for (const item of p.enum) n += 3 + count(typeof item === 'string' ? item : JSON.stringify(item));
        }
        const type = p.type === undefined ? '' : typeof p.type === 'string' ? p.type : JSON.stringify(p.type);
        n += count(`${key}:${type}:${strip(typeof p.description === 'string' ? p.description : '')}`);
      }
    }
  }
  return n + 12; // func_end
}

const callTokens = (count, c) => count(c.name) + count(c.arguments) + 3;

/**
 * countChat minus gpt-tokenizer's encodeChat, rule by rule (README, "countChat"):
 * - names: encodeChat renders the name in place of the role (chatml.md's format); the
 *   cookbook's rule for gpt-3.5-turbo-0613+ / gpt-4 / gpt-4o counts role + name + 1, and for
 *   gpt-3.5-turbo-0301 role + name - 1.
 * - gpt-3.5-turbo (not -0301): encodeChat uses 0301's separators for every gpt-3.5 model, 4
 *   tokens per message; the cookbook counts 3 for gpt-3.5-turbo-0613 and later.
 * - gpt-oss: encodeChat primes the reply with harmony's `<|start|>assistant` (2 tokens);
 *   countChat counts the cookbook's 3 for every model.
 * - content parts: encodeChat takes strings only (given the text parts joined here);
 *   countChat counts each text part on its own.
 * - function_call, tool_calls, role 'function', tools: encodeChat renders none of them.
 */
async function designDiff(model, messages, tools) {
  const { count } = await gt(model);
  const legacy = model === 'gpt-3.5-turbo-0301';
  let d = model.startsWith('gpt-oss') ? 1 : 0;
  for (const m of messages) {
    if (model.startsWith('gpt-3.5') && !legacy) d -= 1;
    if (m.name) d += count(m.role) + (legacy ? -1 : 1);
    if (Array.isArray(m.content)) {
      const texts = m.content.filter((p) => p.type === 'text').map((p) => p.text);
      d += texts.reduce((s, t) => s + count(t), 0) - count(texts.join(''));
    }
    if (m.function_call) d += callTokens(count, m.function_call);
    for (const c of m.tool_calls ?? []) d += callTokens(count, c.function);
    if (m.role === 'function') d -= 2;
  }
  return d + cookbookTools(tools, model, count);
}

// ---------------------------------------------------------------------------------------
// The conversations.

const COOKBOOK_MESSAGES = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather in a given location',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location'],
    },
  },
};

const COOKBOOK_TOOL_MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

const AGENT_TOOLS = [
  WEATHER_TOOL,
  {
    type: 'function',
    function: {
      name: 'search_files',
      description: 'Search the repository for files whose contents match a regular expression.',
      parameters: {
        type: 'object',
        properties: {
          pattern: { type: 'string', description: 'A JavaScript regular expression.' },
          max_results: { type: 'integer', description: 'At most this many matches', enum: [10, 50, 100] },
          include_hidden: { type: ['boolean', 'null'] },
          filter: {
            type: 'object',
            description: 'Restrict the search',
            properties: { extensions: { type: 'array', items: { type: 'string' } } },
          },
        },
        required: ['pattern'],
      },
    },
  },
  { type: 'function', function: { name: 'list_open_tabs' } },
  { type: 'function', function: { name: 'noop', description: 'Does nothing.', parameters: { type: 'object', properties: {} } } },
];

const TOOL_CALL_MESSAGES = [
  { role: 'system', content: 'You are a coding agent. Use the tools to answer.' },
  { role: 'user', content: 'Which files mention "zstd", and what is the weather in Zürich?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: 'call_Ab12Cd34', type: 'function', function: { name: 'search_files', arguments: '{"pattern":"zstd","max_results":10}' } },
      { id: 'call_Ef56Gh78', type: 'function', function: { name: 'get_current_weather', arguments: '{\n  "location": "Zürich, CH",\n  "unit": "celsius"\n}' } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_Ab12Cd34', content: '{"matches":["README.md","crates/core/src/zstd.rs","js/api.mjs"],"truncated":false}' },
  { role: 'tool', tool_call_id: 'call_Ef56Gh78', content: '{"temperature":7.5,"unit":"celsius","conditions":"light rain"}' },
  { role: 'assistant', content: 'Three files mention zstd: README.md, crates/core/src/zstd.rs and js/api.mjs. Zürich: 7.5 °C, light rain.' },
];

function longText(seed, words) {
  const r = rng(seed);
  const vocab = [
    'the', 'token', 'budget', 'of', 'a', 'prompt', 'is', 'counted', 'exactly', 'function', 'return', 'const', '=>', '{', '}',
    '(x)', 'Zürich', 'naïve', 'café', '東京', 'данные', 'مرحبا', 'नमस्ते', '😀', '3.14159', '2024-08-06', 'https://example.com/a?b=c',
    '\n', '\n\n', '    ', '\t', 'camelCaseIdentifier', 'snake_case_name', 'SELECT * FROM t;', '1234567890', '—', '…', "don't",
  ];
  const out = [];
  for (let i = 0; i < words; i++) out.push(vocab[r.below(vocab.length)]);
  return out.join(' ');
}

const LONG_A = longText(1, 12000);
const LONG_B = longText(2, 6000);

/**
 * Each case: messages, optional tools, and per model the pinned numbers:
 * [countChat, gpt-tokenizer encodeChat, gpt-tokenizer computeChatCompletionTokenCount].
 */
const CASES = [
  {
    name: 'cookbook example conversation (system messages with names)',
    messages: COOKBOOK_MESSAGES,
    models: {
      // The cookbook's published, API-verified totals: 127 (gpt-3.5-turbo-0301), 129
      // (gpt-3.5-turbo-0613, gpt-3.5-turbo (0125), gpt-4-0613, gpt-4), 124 (gpt-4o, gpt-4o-mini).
      'gpt-3.5-turbo-0301': [127, 127, 129],
      'gpt-3.5-turbo-0613': [129, 127, 129],
      'gpt-3.5-turbo': [129, 127, 129],
      'gpt-4-0613': [129, 121, 129],
      'gpt-4': [129, 121, 129],
      'gpt-4o': [124, 116, 124],
      'gpt-4o-mini': [124, 116, 124],
    },
  },
  {
    name: 'system + user + assistant',
    messages: [
      { role: 'system', content: 'You are a concise assistant. Answer in one sentence.' },
      { role: 'user', content: 'What does BPE stand for in tokenizers?' },
      { role: 'assistant', content: 'Byte-pair encoding: a merge-based subword scheme.' },
      { role: 'user', content: 'And who uses it?' },
    ],
    models: { 'gpt-4o': [57, 57, 57], 'gpt-4o-mini': [57, 57, 57], 'gpt-4.1': [57, 57, 57], 'gpt-5': [57, 57, 57], o3: [57, 57, 57], 'gpt-4': [57, 57, 57], 'gpt-3.5-turbo': [57, 61, 57], 'gpt-3.5-turbo-0301': [61, 61, 57], 'gpt-oss-20b': [57, 56, 57] },
  },
  {
    name: 'developer message and named participants',
    messages: [
      { role: 'developer', content: 'Moderate the group chat; address people by name.' },
      { role: 'user', name: 'alice', content: 'Can we ship on Friday?' },
      { role: 'user', name: 'Bob_the_Builder-2', content: 'Only if CI is green.' },
      { role: 'assistant', name: 'moderator', content: 'Alice, Bob: CI is green; Friday works.' },
    ],
    models: { 'gpt-5': [65, 59, 65], o3: [65, 59, 65], 'gpt-4.1': [65, 59, 65], 'gpt-4': [65, 59, 65], 'gpt-3.5-turbo': [65, 63, 65], 'gpt-oss-20b': [65, 58, 65] },
  },
  {
    name: 'multilingual content',
    messages: [
      { role: 'system', content: 'Réponds dans la langue de la question. 質問と同じ言語で答えてください。' },
      { role: 'user', content: '你好，请用中文解释一下“分词器”是什么？' },
      { role: 'assistant', content: 'Токенизатор делит текст на токены. مرحبا بالعالم! नमस्ते दुनिया। 👩‍💻🏳️‍🌈 e\u0301' },
      { role: 'user', content: 'Ελληνικά, עברית, 한국어, ไทย — all at once?' },
    ],
    models: { 'gpt-4o': [106, 106, 106], 'gpt-4.1': [106, 106, 106], 'gpt-4': [155, 155, 155], 'gpt-3.5-turbo': [155, 159, 155] },
  },
  {
    name: 'empty, null and absent content',
    messages: [
      { role: 'system', content: '' },
      { role: 'user', content: 'Say nothing.' },
      { role: 'assistant', content: null },
      { role: 'user' },
    ],
    models: { 'gpt-4o': [22, 22, 22], 'gpt-4': [22, 22, 22] },
  },
  {
    name: 'content parts (text parts counted, each on its own; images ignored)',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You describe pictures.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'text', text: ' this picture in one sentence.' },
          { type: 'text', text: 'inter' },
          { type: 'text', text: 'nationalization' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'A cat on a keyboard.' }, { type: 'refusal', refusal: 'n/a' }] },
    ],
    models: { 'gpt-4o': [35, 34, 34], 'gpt-4.1-mini': [35, 34, 34], 'gpt-4': [35, 34, 34] },
  },
  {
    name: 'tool calls with JSON arguments and tool results',
    messages: TOOL_CALL_MESSAGES,
    models: { 'gpt-4o': [172, 129, 129], 'gpt-4.1': [172, 129, 129], 'gpt-5': [172, 129, 129], 'gpt-4': [175, 132, 132], 'gpt-3.5-turbo': [175, 138, 132] },
  },
  {
    name: 'legacy function_call and a function-role result',
    messages: [
      { role: 'system', content: 'You can call functions.' },
      { role: 'user', content: 'Weather in Boston?' },
      { role: 'assistant', content: null, function_call: { name: 'get_current_weather', arguments: '{"location":"Boston, MA"}' } },
      { role: 'function', name: 'get_current_weather', content: '{"temperature":22,"unit":"celsius"}' },
      { role: 'assistant', content: 'It is 22 °C in Boston.' },
    ],
    models: { 'gpt-4o': [66, 53, 66], 'gpt-4.1': [66, 53, 66], 'gpt-4': [66, 53, 66], 'gpt-3.5-turbo-0613': [66, 58, 66] },
  },
  {
    name: 'cookbook tool-definition example',
    messages: COOKBOOK_TOOL_MESSAGES,
    tools: [WEATHER_TOOL],
    models: {
      // The cookbook's published, API-verified totals: 101 (gpt-4o, gpt-4o-mini), 105
      // (gpt-3.5-turbo, gpt-4).
      'gpt-4o': [101, 33, 101],
      'gpt-4o-mini': [101, 33, 101],
      'gpt-4': [105, 34, 105],
      'gpt-3.5-turbo': [105, 36, 105],
      // Not in the cookbook: gpt-oss (o200k_harmony) gets the gpt-4o constants.
      'gpt-oss-20b': [101, 32, 101],
    },
  },
  {
    name: 'an agent loop: several tool definitions (enum numbers, type arrays, nested object, no parameters) and tool calls',
    messages: TOOL_CALL_MESSAGES,
    tools: AGENT_TOOLS,
    models: { 'gpt-4.1': [339, 129, 286], 'gpt-5': [339, 129, 286], 'gpt-4o': [339, 129, 286], 'gpt-4': [353, 132, 296] },
  },
  {
    name: 'long texts',
    messages: [
      { role: 'system', content: LONG_B },
      { role: 'user', content: LONG_A },
      { role: 'assistant', content: LONG_B.slice(0, 20000) },
    ],
    models: { 'gpt-4o': [40462, 40462, 40462], 'gpt-4.1': [40462, 40462, 40462], 'gpt-4': [47115, 47115, 47115] },
  },
  {
    name: 'special-token text in content counts as ordinary text',
    messages: [
      { role: 'user', content: 'Escape <|endoftext|>, <|im_start|>user and <|start|> in logs.' },
      { role: 'assistant', content: 'Done: <|im_end|> stays text.' },
    ],
    // gpt-tokenizer throws on special-token text by default; disallowedSpecial: [] makes it
    // count the text as ordinary text, as countChat does.
    gtOptions: { disallowedSpecial: new Set() },
    models: { 'gpt-4o': [46, 46, null], 'gpt-4': [42, 42, null] },
  },
  {
    name: 'an empty conversation is the reply priming alone',
    messages: [],
    models: { 'gpt-4o': [3, 3, 3], 'gpt-4': [3, 3, 3], 'gpt-3.5-turbo': [3, 3, 3] },
  },
];

for (const c of CASES) {
  test(`countChat: ${c.name}`, async () => {
    const gtMessages = toGt(c.messages);
    const functions = c.tools?.map((t) => t.function);
    for (const [model, pinned] of Object.entries(c.models)) {
      const ours = countChat(c.messages, { model, tools: c.tools });
      const ref = await gt(model);
      const chat = ref.chat(gtMessages, c.gtOptions);
      const diff = await designDiff(model, c.messages, c.tools);
      assert.equal(ours - chat, diff, `${model}: countChat ${ours} - encodeChat ${chat} should be the design difference ${diff}`);
      if (diff === 0) assert.equal(ours, chat);
      const request = c.gtOptions ? null : ref.request({ messages: gtMessages, functions });
      if (pinned.length > 0) {
        assert.deepEqual([ours, chat, request ?? pinned[2]], pinned, `${model}: [countChat, encodeChat, computeChatCompletionTokenCount]`);
      }
      // Messages without tool_calls, content parts or tools: the hmarr formula in gpt-tokenizer
      // is the cookbook's (3 per message, role, content, name + 1, function_call + 3,
      // 'function' role - 2, + 3), so the two agree exactly except on gpt-3.5-turbo-0301.
      const plain = !c.tools && c.messages.every((m) => !m.tool_calls && !Array.isArray(m.content));
      if (request !== null && plain && model !== 'gpt-3.5-turbo-0301') assert.equal(ours, request, `${model}: countChat = computeChatCompletionTokenCount`);
    }
  });
}

test('countChat: tool definitions follow the cookbook, not gpt-tokenizer\'s function estimate', async () => {
  // On the cookbook's own example both estimates give the API-verified numbers (101 on gpt-4o,
  // 105 on gpt-4; pinned above). gpt-tokenizer's estimate renders the definitions as a
  // TypeScript namespace (+ 9, - 4 with a system message, a newline added to the system
  // message), after hmarr/openai-chat-tokens, which was fitted to gpt-3.5-turbo-0613's
  // `functions`; countChat uses the cookbook's num_tokens_for_tools, fitted to gpt-4o and
  // gpt-4 `tools`. Off that example the two part: for AGENT_TOOLS on gpt-4.1, 167 against 157.
  const ref = await gt('gpt-4.1');
  const functions = AGENT_TOOLS.map((t) => t.function);
  const gptTokenizer = ref.request({ messages: toGt(TOOL_CALL_MESSAGES), functions }) - ref.request({ messages: toGt(TOOL_CALL_MESSAGES) });
  const cookbook = cookbookTools(AGENT_TOOLS, 'gpt-4.1', ref.count);
  const ours = countChat(TOOL_CALL_MESSAGES, { model: 'gpt-4.1', tools: AGENT_TOOLS }) - countChat(TOOL_CALL_MESSAGES, { model: 'gpt-4.1' });
  assert.deepEqual({ ours, cookbook, gptTokenizer }, { ours: 167, cookbook: 167, gptTokenizer: 157 });
});

test('countChat: o200k models share one rule set, cl100k models another', () => {
  const messages = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', name: 'dev', content: 'Count me.' },
  ];
  const o200k = ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'o1', 'o3', 'o4-mini', 'gpt-oss-120b', 'ft:gpt-4o-mini-2024-07-18:acme::abc123'];
  const expected = countChat(messages, { model: 'gpt-4o' });
  for (const model of o200k) assert.equal(countChat(messages, { model }), expected, model);
  for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-4-0613', 'gpt-3.5-turbo', 'gpt-3.5-turbo-0125']) {
    assert.equal(countChat(messages, { model }), countChat(messages, { model: 'gpt-4' }), model);
  }
  // gpt-3.5-turbo-0301: 4 per message (+1 on each of the 2 messages) and -1 per name instead
  // of +1 (-2 on the 1 named message).
  assert.equal(countChat(messages, { model: 'gpt-3.5-turbo-0301' }), countChat(messages, { model: 'gpt-4' }) + 2 * 1 + 1 * -2);
  assert.equal(countChat([messages[0]], { model: 'gpt-3.5-turbo-0301' }), countChat([messages[0]], { model: 'gpt-4' }) + 1);
  // tools: func_init 7 (o200k) or 10 (cl100k) per function.
  const tools = [WEATHER_TOOL, WEATHER_TOOL];
  assert.equal(countChat([], { model: 'gpt-4', tools }) - countChat([], { model: 'gpt-4o', tools }), 6);
  assert.equal(countChat(messages, { model: 'gpt-4o', tools: [] }), expected);
  assert.equal(countChat(messages, { model: 'gpt-4o', tools: null }), expected);
});

test('countChat: every count is the sum of Encoding.count over the parts, plus the overheads', () => {
  const enc = il.encodingForModel('gpt-4o');
  const n = countChat(TOOL_CALL_MESSAGES, { model: 'gpt-4o' });
  let expected = 3;
  for (const m of TOOL_CALL_MESSAGES) {
    expected += 3 + enc.count(m.role) + enc.count(m.content ?? '');
    for (const c of m.tool_calls ?? []) expected += enc.count(c.function.name) + enc.count(c.function.arguments) + 3;
  }
  assert.equal(n, expected);
});

// Custom (free-form) tools, as GPT-5's apply_patch-style tools send them: a call counts its
// name and input as a function call counts its name and arguments; a definition counts as a
// function without parameters, its grammar not at all.
test('countChat: custom tool calls and definitions', () => {
  const enc = il.encodingForModel('gpt-5');
  const patch = '*** Begin Patch\n*** Update File: src/main.rs\n@@\n-    println!("hi");\n+    println!("hello");\n*** End Patch';
  const call = { id: 'call_1', type: 'custom', custom: { name: 'apply_patch', input: patch } };
  const messages = [
    { role: 'user', content: 'Say hello instead.' },
    { role: 'assistant', content: null, tool_calls: [call, { id: 'call_2', type: 'function', function: { name: 'run', arguments: '{"cmd":"cargo test"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'Done.' },
  ];
  const withoutCall = [messages[0], { role: 'assistant', content: null, tool_calls: [messages[1].tool_calls[1]] }, messages[2]];
  assert.equal(
    countChat(messages, { model: 'gpt-5' }) - countChat(withoutCall, { model: 'gpt-5' }),
    enc.count('apply_patch') + enc.count(patch) + 3,
  );
  // The same call written as a function call with the input as its arguments counts the same.
  const asFunction = { id: 'call_1', type: 'function', function: { name: 'apply_patch', arguments: patch } };
  assert.equal(countChat(messages, { model: 'gpt-5' }), countChat([messages[0], { ...messages[1], tool_calls: [asFunction, messages[1].tool_calls[1]] }, messages[2]], { model: 'gpt-5' }));

  const custom = {
    type: 'custom',
    custom: { name: 'apply_patch', description: 'Edit files with a patch.', format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'start: /.+/s' } } },
  };
  const bare = { type: 'function', function: { name: 'apply_patch', description: 'Edit files with a patch.' } };
  for (const model of ['gpt-5', 'gpt-4o', 'gpt-4']) {
    const funcInit = model === 'gpt-4' ? 10 : 7;
    assert.equal(countChat([], { model, tools: [custom] }) - countChat([], { model }), 12 + funcInit + il.encodingForModel(model).count('apply_patch:Edit files with a patch'), model);
    assert.equal(countChat([], { model, tools: [custom, WEATHER_TOOL] }), countChat([], { model, tools: [bare, WEATHER_TOOL] }), model);
  }
  // The grammar does not count; a description is optional.
  const other = { type: 'custom', custom: { name: 'apply_patch', description: 'Edit files with a patch.', format: { type: 'text' } } };
  assert.equal(countChat([], { model: 'gpt-5', tools: [custom] }), countChat([], { model: 'gpt-5', tools: [other] }));
  assert.equal(countChat([], { model: 'gpt-5', tools: [{ type: 'custom', custom: { name: 'x' } }] }), 3 + 12 + 7 + enc.count('x:'));
});

// ---------------------------------------------------------------------------------------
// Errors.

// countChat is part of the API, so its errors are the API's IronlungError like any other.
const chatThrows = throwsCode;

test('countChat: unknown and non-chat models', () => {
  const messages = [{ role: 'user', content: 'hi' }];
  chatThrows(() => countChat(messages, { model: 'gpt-9-ultra' }), 'ERR_UNKNOWN_MODEL', 'gpt-9-ultra');
  chatThrows(() => countChat(messages, { model: 'claude-3-opus' }), 'ERR_UNKNOWN_MODEL');
  chatThrows(() => countChat(messages, { model: 'text-davinci-003' }), 'ERR_UNKNOWN_MODEL', ['text-davinci-003', 'p50k_base']);
  chatThrows(() => countChat(messages, { model: 'davinci' }), 'ERR_UNKNOWN_MODEL', 'r50k_base');
});

test('countChat: bad options', () => {
  const messages = [{ role: 'user', content: 'hi' }];
  chatThrows(() => countChat(messages), 'ERR_INVALID_ARG', 'options');
  chatThrows(() => countChat(messages, 'gpt-4o'), 'ERR_INVALID_ARG', 'options');
  chatThrows(() => countChat(messages, {}), 'ERR_INVALID_ARG', 'options.model');
  chatThrows(() => countChat(messages, { model: 4 }), 'ERR_INVALID_ARG', ['options.model', 'number 4']);
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: {} }), 'ERR_INVALID_ARG', 'tools');
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [null] }), 'ERR_INVALID_ARG', 'tools[0]');
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'web_search', web_search: {} }] }), 'ERR_INVALID_ARG', ["tools[0].type must be 'function' or 'custom'", 'web_search']);
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'custom' }] }), 'ERR_INVALID_ARG', 'tools[0].custom');
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'custom', custom: { description: 'x' } }] }), 'ERR_INVALID_ARG', 'tools[0].custom.name');
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'custom', custom: { name: 'x', description: 1 } }] }), 'ERR_INVALID_ARG', 'tools[0].custom.description');
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [WEATHER_TOOL, { type: 'function' }] }), 'ERR_INVALID_ARG', 'tools[1].function');
  chatThrows(() => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'function', function: { description: 'x' } }] }), 'ERR_INVALID_ARG', 'tools[0].function.name');
  chatThrows(
    () => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'f', description: 3 } }] }),
    'ERR_INVALID_ARG',
    'tools[0].function.description',
  );
  chatThrows(
    () => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }),
    'ERR_INVALID_ARG',
    'tools[0].function.parameters',
  );
  chatThrows(
    () => countChat(messages, { model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'f', parameters: { properties: { a: 'string' } } } }] }),
    'ERR_INVALID_ARG',
    'tools[0].function.parameters.properties["a"]',
  );
});

test('countChat: malformed messages name the index and the field', () => {
  const m = { model: 'gpt-4o' };
  const ok = { role: 'user', content: 'hi' };
  chatThrows(() => countChat(undefined, m), 'ERR_INVALID_ARG', 'messages must be an array');
  chatThrows(() => countChat('hello', m), 'ERR_INVALID_ARG', ['messages must be an array', 'string "hello"']);
  chatThrows(() => countChat({ 0: ok, length: 1 }, m), 'ERR_INVALID_ARG', 'messages must be an array');
  chatThrows(() => countChat([ok, null], m), 'ERR_INVALID_ARG', ['messages[1] must be an object', 'null']);
  chatThrows(() => countChat([ok, ok, 'hi'], m), 'ERR_INVALID_ARG', 'messages[2] must be an object');
  chatThrows(() => countChat([[ok]], m), 'ERR_INVALID_ARG', ['messages[0] must be an object', 'an array']);
  // A hole is named as one, not as the undefined it reads as.
  // eslint-disable-next-line no-sparse-arrays
  chatThrows(() => countChat([ok, , ok], m), 'ERR_INVALID_ARG', ['messages[1] is an empty slot (a hole in the array)', 'a message object']);
  // eslint-disable-next-line no-sparse-arrays
  chatThrows(() => countChat([{ role: 'user', content: [, { type: 'text', text: 'hi' }] }], m), 'ERR_INVALID_ARG', 'messages[0].content[0] is an empty slot');
  // eslint-disable-next-line no-sparse-arrays
  chatThrows(() => countChat([{ role: 'assistant', tool_calls: [,] }], m), 'ERR_INVALID_ARG', 'messages[0].tool_calls[0] is an empty slot');
  // eslint-disable-next-line no-sparse-arrays
  chatThrows(() => countChat([ok], { ...m, tools: [,] }), 'ERR_INVALID_ARG', 'tools[0] is an empty slot');
  const enumTool = (values) => ({ type: 'function', function: { name: 'f', parameters: { properties: { a: { type: 'string', enum: values } } } } });
  // eslint-disable-next-line no-sparse-arrays
  chatThrows(() => countChat([ok], { ...m, tools: [enumTool(['x', , 'y'])] }), 'ERR_INVALID_ARG', 'tools[0].function.parameters.properties["a"].enum[1] is an empty slot');
  chatThrows(() => countChat([{ content: 'hi' }], m), 'ERR_INVALID_ARG', ['messages[0].role must be a string', 'undefined']);
  chatThrows(() => countChat([ok, { role: 1, content: 'hi' }], m), 'ERR_INVALID_ARG', 'messages[1].role');
  chatThrows(() => countChat([{ role: 'user', content: 42 }], m), 'ERR_INVALID_ARG', ['messages[0].content', 'number 42']);
  chatThrows(() => countChat([{ role: 'user', content: { text: 'hi' } }], m), 'ERR_INVALID_ARG', 'messages[0].content');
  chatThrows(() => countChat([{ role: 'user', content: ['hi'] }], m), 'ERR_INVALID_ARG', 'messages[0].content[0]');
  chatThrows(() => countChat([{ role: 'user', content: [{ text: 'hi' }] }], m), 'ERR_INVALID_ARG', 'messages[0].content[0]');
  chatThrows(() => countChat([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text' }] }], m), 'ERR_INVALID_ARG', 'messages[0].content[1].text');
  chatThrows(() => countChat([{ role: 'user', content: 'hi', name: 7 }], m), 'ERR_INVALID_ARG', 'messages[0].name');
  chatThrows(() => countChat([ok, { role: 'tool', content: 'x', tool_call_id: 1 }], m), 'ERR_INVALID_ARG', 'messages[1].tool_call_id');
  chatThrows(() => countChat([{ role: 'assistant', tool_calls: {} }], m), 'ERR_INVALID_ARG', 'messages[0].tool_calls');
  chatThrows(() => countChat([{ role: 'assistant', tool_calls: [null] }], m), 'ERR_INVALID_ARG', 'messages[0].tool_calls[0]');
  chatThrows(() => countChat([{ role: 'assistant', tool_calls: [{ id: 'c' }] }], m), 'ERR_INVALID_ARG', 'messages[0].tool_calls[0].function');
  chatThrows(() => countChat([{ role: 'assistant', tool_calls: [{ id: 'c', type: 'custom' }] }], m), 'ERR_INVALID_ARG', 'messages[0].tool_calls[0].custom');
  chatThrows(() => countChat([{ role: 'assistant', tool_calls: [{ type: 'custom', custom: { input: 'x' } }] }], m), 'ERR_INVALID_ARG', 'messages[0].tool_calls[0].custom.name');
  chatThrows(
    () => countChat([{ role: 'assistant', tool_calls: [{ type: 'custom', custom: { name: 'f', input: { a: 1 } } }] }], m),
    'ERR_INVALID_ARG',
    'messages[0].tool_calls[0].custom.input',
  );
  chatThrows(
    () => countChat([{ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] }], m),
    'ERR_INVALID_ARG',
    'messages[0].tool_calls[0].function.arguments',
  );
  chatThrows(() => countChat([{ role: 'assistant', function_call: 'f' }], m), 'ERR_INVALID_ARG', 'messages[0].function_call');
  chatThrows(() => countChat([{ role: 'assistant', function_call: { arguments: '{}' } }], m), 'ERR_INVALID_ARG', 'messages[0].function_call.name');
});

test('countChat: optional fields may be null', () => {
  const base = [{ role: 'user', content: 'hi' }];
  const withNulls = [{ role: 'user', content: 'hi', name: null, tool_calls: null, function_call: null, tool_call_id: null }];
  assert.equal(countChat(withNulls, { model: 'gpt-4o' }), countChat(base, { model: 'gpt-4o' }));
  // An empty name is no name (gpt-tokenizer's rule too).
  assert.equal(countChat([{ role: 'user', content: 'hi', name: '' }], { model: 'gpt-4o' }), countChat(base, { model: 'gpt-4o' }));
});
