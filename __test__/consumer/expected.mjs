// Texts and expected results shared by the consumer tests (Node, Bun, Deno, Chromium).
// The expected counts come from OpenAI's tiktoken (npm), computed by the runner
// (scripts/test-consumer.sh) and handed over in IRONLUNG_EXPECTED, so no runtime checks
// itself against itself.
export const TEXTS = [
  'Hello, world! How are you today?',
  '中文分词测试：这是一个句子。日本語のテキスト',
  '👩‍👩‍👧‍👦 family 🏳️‍🌈 flag',
  'fn main() {\n    println!("hi");\n}\r\n',
  'مرحبا بالعالم नमस्ते दुनिया',
];
export const ENCODINGS = ['cl100k_base', 'o200k_base'];
