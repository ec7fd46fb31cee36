//! Seeded text generators shared by the integration tests.
#![allow(dead_code)]

/// Small deterministic PRNG (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

const ALPHABET: &[&str] = &[
    "a",
    "b",
    "Z",
    "é",
    "ß",
    "ſ",
    "K",
    "0",
    "7",
    "٣",
    "½",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u{a0}",
    "\u{2003}",
    "\u{3000}",
    "'",
    "'s",
    "'S",
    "'ll",
    "'LL",
    "'Re",
    "’",
    ".",
    ",",
    "!",
    "?",
    "/",
    "//",
    "-",
    "_",
    "(",
    ")",
    "{",
    "}",
    "<|",
    "|>",
    "<|endoftext|>",
    "endoftext",
    "中",
    "文",
    "日本",
    "한",
    "ع",
    "ر",
    "ب",
    "ي",
    "क",
    "ि",
    "्",
    "ष",
    "😀",
    "👩‍💻",
    "🏳️‍🌈",
    "\u{200d}",
    "\u{301}",
    "e\u{301}",
    "Ǆ",
    "ǅ",
    "ǆ",
    "ʰ",
    "Ⅷ",
    "\u{1c}",
    "\u{85}",
    "\u{2028}",
    "\0",
    "x",
    "1234567",
    "fn",
    " main",
    "::",
    "=>",
    "\"",
    "#",
    "$",
    "%",
    "ABC",
    "Hello",
    "WORLD",
    "camelCase",
];

pub fn random_text(rng: &mut Rng, max_parts: usize) -> String {
    let n = rng.below(max_parts + 1);
    let mut s = String::new();
    for _ in 0..n {
        if rng.below(8) == 0 {
            // Any scalar value, to reach categories the alphabet misses.
            let c = loop {
                let v = rng.below(0x11_0000) as u32;
                if let Some(c) = char::from_u32(v) {
                    break c;
                }
            };
            s.push(c);
        } else {
            s.push_str(ALPHABET[rng.below(ALPHABET.len())]);
        }
    }
    s
}

pub fn fixed_texts() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "\n",
        "hello world",
        "Hello, World! How's it going? I'LL be there; they'RE here, we've 'VE done it.",
        "   leading and trailing   ",
        "tabs\t\tand\t \tmixed   \n\n  \r\n\r\n  lines\r\n",
        "line one\r\nline two\r\n\r\n\r\n",
        "trailing newline then spaces\n   ",
        "a  b   c    d\n\n\n e",
        "👩‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 thumbs, 🇫🇷",
        "中文分词测试：这是一个句子。日本語のテキストも。한국어 문장도 있습니다.",
        "مرحبا بالعالم، هذا نص عربي.",
        "नमस्ते दुनिया, यह हिंदी पाठ है।",
        "fn main() {\n    let x: Vec<u32> = (0..10).map(|i| i * 2).collect();\n    println!(\"{x:?}\");\n}\n",
        "def f(x):\n\treturn x ** 2  # square\n\nclass A(B): pass\n",
        "<|endoftext|> is special, <|fim_prefix|> too, but <|not_special|> and <|endoftext is not",
        "<|<|endoftext|>|>",
        "123 4567 89012345 3.14159 1e-9 0x1F",
        "Ǆemo ǅemo ǆemo ΣΊΣΥΦΟΣ ﬁne ＡＢＣ ｆｕｌｌ",
        "e\u{301}\u{302}\u{303} a\u{20dd} \u{1f1e6}\u{1f1e8}",
        "\u{feff}BOM at start",
        "NUL\0in\0text",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("a".repeat(10_000));
    v.push(" ".repeat(5_000));
    v.push("\n".repeat(3_000));
    v.push("😀".repeat(2_000));
    v.push("中".repeat(3_000));
    v.push("ab".repeat(4_000));
    v.push("1".repeat(5_000));
    v.push("!".repeat(5_000));
    v.push(" a".repeat(3_000));
    v
}
