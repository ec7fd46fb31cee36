//! 10^6 random inputs per encoding, checked token for token against tiktoken-rs's own
//! encoder: random Unicode across scripts, whitespace/CR/LF mixes, digit runs, apostrophe
//! contractions in both cases, and code. `IRONLUNG_DIFF_PER_KIND` (default 200 000 per kind,
//! five kinds) scales it.

use ironlung_core::tokenizer::{get_encoding, list_encodings};
use std::sync::OnceLock;

mod common;
use common::Rng;

fn reference(name: &str) -> &'static tiktoken_rs::CoreBPE {
    static CELLS: [OnceLock<tiktoken_rs::CoreBPE>; 6] = [const { OnceLock::new() }; 6];
    let i = list_encodings().iter().position(|n| *n == name).unwrap();
    CELLS[i].get_or_init(|| {
        match name {
            "r50k_base" => tiktoken_rs::r50k_base(),
            "p50k_base" => tiktoken_rs::p50k_base(),
            "p50k_edit" => tiktoken_rs::p50k_edit(),
            "cl100k_base" => tiktoken_rs::cl100k_base(),
            "o200k_base" => tiktoken_rs::o200k_base(),
            _ => tiktoken_rs::o200k_harmony(),
        }
        .unwrap()
    })
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

fn char_in(rng: &mut Rng, ranges: &[(u32, u32)]) -> char {
    loop {
        let (a, b) = ranges[rng.below(ranges.len())];
        if let Some(c) = char::from_u32(a + rng.below((b - a + 1) as usize) as u32) {
            return c;
        }
    }
}

const SCRIPTS: &[(u32, u32)] = &[
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x590, 0x5FF),
    (0x600, 0x6FF),
    (0x900, 0x97F),
    (0xE00, 0xE7F),
    (0x1100, 0x11FF),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x3000, 0x30FF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xFF00, 0xFFEF),
    (0x1D400, 0x1D7FF),
    (0x1F300, 0x1FAFF),
    (0x20000, 0x2A6DF),
    (0xE0000, 0xE007F),
];

fn unicode(rng: &mut Rng) -> String {
    (0..rng.below(24))
        .map(|_| if rng.below(10) == 0 { char_in(rng, &[(0, 0x10FFFF)]) } else { char_in(rng, SCRIPTS) })
        .collect()
}

fn whitespace(rng: &mut Rng) -> String {
    const WS: &[&str] =
        &[" ", "  ", "\t", "\r", "\n", "\r\n", "\n\n", "\u{a0}", "\u{3000}", "\u{2028}", "\u{85}", "\u{b}", "\u{c}"];
    const OTHER: &[&str] = &["a", "Word", "1", "!", "中", "é", "//", "'s"];
    let mut s = String::new();
    for _ in 0..rng.below(20) {
        s.push_str(if rng.below(4) == 0 { pick(rng, OTHER) } else { pick(rng, WS) });
    }
    s
}

fn digits(rng: &mut Rng) -> String {
    const SEP: &[&str] = &[" ", "", ".", ",", "-", "a", "x", "\n", " $", "٣", "½", "Ⅷ", "²"];
    let mut s = String::new();
    for _ in 0..rng.below(8) {
        for _ in 0..rng.below(12) + 1 {
            s.push(char::from(b'0' + rng.below(10) as u8));
        }
        s.push_str(pick(rng, SEP));
    }
    s
}

fn contractions(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &["I", "you", "HE", "it", "They", "we", "DON", "can", "o", "ab", "中", ""];
    const TAILS: &[&str] = &[
        "'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'ve", "'VE", "'m", "'M", "'ll", "'LL", "'Ll", "'d", "'D", "’s",
        "'ſ", "'x", "'", "''", "'sam", "'llama", "'REd",
    ];
    const SEP: &[&str] = &[" ", "", "\n", ", ", "  "];
    let mut s = String::new();
    for _ in 0..rng.below(8) {
        s.push_str(pick(rng, WORDS));
        s.push_str(pick(rng, TAILS));
        s.push_str(pick(rng, SEP));
    }
    s
}

fn code(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "fn",
        " main",
        "()",
        " {",
        "}",
        "\n",
        "    ",
        "\t",
        "let",
        " x",
        " =",
        " 42",
        ";",
        "//",
        " comment",
        "/*",
        "*/",
        "\"str\"",
        "'c'",
        "=>",
        "->",
        "::",
        "&&",
        "||",
        "!=",
        "==",
        "<=",
        ">>",
        "+=",
        "[0]",
        ".map(",
        "|x|",
        " x.len()",
        "self",
        "_private",
        "camelCase",
        "snake_case",
        "SCREAMING_CASE",
        "0xFF",
        "1e-9",
        "#[derive(Debug)]",
        "\r\n",
        "  ",
        "</div>",
        "<a href=\"/x\">",
        "${var}",
        "@decorator",
        "$",
        "%",
        "^",
        "~",
        "`tpl`",
        "\\n",
        "\\\\",
        "λ",
        "α",
    ];
    let mut s = String::new();
    for _ in 0..rng.below(24) {
        s.push_str(pick(rng, PARTS));
    }
    s
}

#[test]
fn a_million_random_inputs_per_encoding_match_tiktoken() {
    let per_kind: usize = std::env::var("IRONLUNG_DIFF_PER_KIND").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    type Generator = fn(&mut Rng) -> String;
    let kinds: [(&str, Generator); 5] = [
        ("unicode", unicode),
        ("whitespace", whitespace),
        ("digits", digits),
        ("contractions", contractions),
        ("code", code),
    ];
    // Two threads, as the machine has two cores.
    let names = list_encodings();
    std::thread::scope(|scope| {
        for half in names.chunks(names.len().div_ceil(2)) {
            scope.spawn(move || {
                for (e, name) in half.iter().enumerate() {
                    let enc = get_encoding(name).unwrap();
                    let r = reference(name);
                    for (k, (kind, gen)) in kinds.iter().enumerate() {
                        let mut rng = Rng(0x5EED ^ ((e as u64) << 8) ^ (k as u64) ^ (name.len() as u64) << 20);
                        for i in 0..per_kind {
                            let t = gen(&mut rng);
                            let want = r.encode_ordinary(&t);
                            let got = enc.encode_ordinary(&t);
                            assert_eq!(got, want, "{name} {kind} case {i}: {t:?}");
                            assert_eq!(enc.count(&t), want.len(), "{name} {kind} case {i}: {t:?}");
                        }
                    }
                }
            });
        }
    });
}
