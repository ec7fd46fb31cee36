//! `cargo bench -p ironlung-core --bench count`: MB/s of `Encoding::count` in the core alone,
//! without any binding.
//!
//! Reads the corpora that `bench/corpus.mjs` builds (`english.txt`, `code.txt`,
//! `multilingual.txt`, each with a `.warm.txt` warm-up text) from `IRONLUNG_CORPUS_DIR`
//! (default: `bench/.corpus` at the workspace root). Without them it uses generated text, so
//! it always runs. Like `npm run bench`, each corpus is split into 5 parts and each part is
//! counted once (fresh text); the table gives the median MB/s (10^6 bytes per second) of the
//! parts and the slowest and fastest part. No dependencies: std::time::Instant and black_box.
//!
//! Arguments after `--`: `--quick` (3 rounds on 256 KiB), or a word to filter the rows
//! (e.g. `cargo bench -p ironlung-core --bench count -- o200k`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use ironlung_core::tokenizer::get_encoding;

const ENCODINGS: [&str; 2] = ["cl100k_base", "o200k_base"];
const CORPORA: [&str; 3] = ["english", "code", "multilingual"];

struct Corpus {
    name: String,
    text: String,
    warm: String,
}

fn corpus_dir() -> PathBuf {
    match std::env::var_os("IRONLUNG_CORPUS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/.corpus"),
    }
}

/// Deterministic generated text, used when the real corpora are missing.
fn generated(kind: &str, bytes: usize) -> String {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ kind.len() as u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const WORDS: &[&str] = &[
        "the",
        "of",
        "and",
        "a",
        "to",
        "in",
        "is",
        "you",
        "that",
        "it",
        "file",
        "with",
        "for",
        "as",
        "are",
        "on",
        "this",
        "be",
        "by",
        "not",
        "or",
        "output",
        "input",
        "option",
        "command",
        "directory",
        "default",
        "each",
        "line",
        "when",
        "which",
        "number",
        "characters",
        "standard",
        "program",
        "value",
        "returns",
        "tokenizer",
    ];
    const CODE: &[&str] = &[
        "fn",
        "let",
        "mut",
        "self",
        "impl",
        "pub",
        "struct",
        "return",
        "match",
        "Some(x)",
        "None",
        "=>",
        "&str",
        "Vec<u8>",
        "usize",
        "{",
        "}",
        "(",
        ");",
        "::",
        "iter()",
        ".map(|x| x + 1)",
        "// comment",
        "#[inline]",
        "if",
        "else",
        "for",
        "in",
        "0..n",
        "String::new()",
        "Ok(())",
        "Err(e)?",
        "const",
        "MAX: u32 = 42;",
    ];
    const CJK: &[&str] = &[
        "文件",
        "目录",
        "命令",
        "选项",
        "默认",
        "输出",
        "输入",
        "程序",
        "字符",
        "标准",
        "返回",
        "数值",
        "ファイル",
        "ディレクトリ",
        "コマンド",
        "オプション",
        "出力",
        "入力",
        "문자",
        "파일",
        "명령",
        "Файл",
        "команда",
        "وضع",
        "ملف",
        "फ़ाइल",
        "आदेश",
        "。",
        "、",
        "，",
        "的",
        "は",
        "を",
        "に",
        "が",
    ];
    let list = match kind {
        "code" => CODE,
        "multilingual" => CJK,
        _ => WORDS,
    };
    let mut s = String::with_capacity(bytes + 64);
    while s.len() < bytes {
        let w = list[(next() % list.len() as u64) as usize];
        s.push_str(w);
        match next() % 16 {
            0 => s.push_str(".\n"),
            1 => s.push_str(", "),
            2 if kind == "code" => s.push_str("\n    "),
            _ if kind == "multilingual" && next() % 3 != 0 => {}
            _ => s.push(' '),
        }
    }
    s
}

fn load(limit: usize) -> (Vec<Corpus>, String) {
    let dir = corpus_dir();
    let real: Option<Vec<Corpus>> = CORPORA
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.txt"))).ok()?;
            let warm = std::fs::read_to_string(dir.join(format!("{name}.warm.txt"))).ok()?;
            Some(Corpus { name: name.to_string(), text: prefix(&text, limit).to_string(), warm })
        })
        .collect();
    match real {
        Some(c) => (c, format!("corpora from {}", dir.canonicalize().unwrap_or(dir).display())),
        None => (
            CORPORA
                .iter()
                .map(|name| Corpus {
                    name: format!("{name} (generated)"),
                    text: generated(name, limit.min(1 << 20)),
                    warm: generated(&format!("{name}-warm"), 64 << 10),
                })
                .collect(),
            format!("generated text ({} not found; run `npm run bench` or `node bench/corpus.mjs` to build the real corpora)", dir.display()),
        ),
    }
}

/// The longest prefix of `s` of at most `n` bytes that ends on a character boundary.
fn prefix(s: &str, mut n: usize) -> &str {
    if n >= s.len() {
        return s;
    }
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// `rounds` consecutive parts of `s`, cut on character boundaries (after a newline if one is near).
fn parts(s: &str, rounds: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(rounds);
    let mut start = 0;
    for r in 1..=rounds {
        let mut cut = if r == rounds { s.len() } else { prefix(s, s.len() * r / rounds).len() };
        if r < rounds {
            if let Some(nl) = s[cut..].find('\n').filter(|&i| i < 4096) {
                cut += nl + 1;
            }
        }
        out.push(&s[start..cut]);
        start = cut;
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let quick = args.iter().any(|a| a == "--quick");
    let filter: Option<&String> = args.iter().find(|a| !a.starts_with('-'));
    let (rounds, limit) = if quick { (3, 256 << 10) } else { (5, usize::MAX) };
    let (corpora, source) = load(limit);

    println!("ironlung-core count: {source}");
    println!("median of {rounds} rounds, each part counted once; MB = 10^6 bytes");
    println!();
    println!("| encoding | corpus | MB | tokens | median MB/s | slowest | fastest |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for enc_name in ENCODINGS {
        let t0 = Instant::now();
        let enc = get_encoding(enc_name).expect("known encoding");
        black_box(enc.count(black_box("hello world")));
        let load_ms = t0.elapsed().as_secs_f64() * 1e3;
        for c in &corpora {
            let row = format!("{enc_name} {}", c.name);
            if filter.is_some_and(|f| !row.contains(f.as_str())) {
                continue;
            }
            black_box(enc.count(black_box(&c.warm)));
            let mut speeds = Vec::with_capacity(rounds);
            let mut tokens = 0;
            for p in parts(&c.text, rounds) {
                let t = Instant::now();
                tokens += black_box(enc.count(black_box(p)));
                let s = t.elapsed().as_secs_f64();
                speeds.push(p.len() as f64 / 1e6 / s);
            }
            let slowest = speeds.iter().cloned().fold(f64::INFINITY, f64::min);
            let fastest = speeds.iter().cloned().fold(0.0, f64::max);
            println!(
                "| {enc_name} | {} | {:.3} | {tokens} | {:.1} | {:.1} | {:.1} |",
                c.name,
                c.text.len() as f64 / 1e6,
                median(speeds),
                slowest,
                fastest
            );
        }
        eprintln!("({enc_name}: built in {load_ms:.1} ms)");
    }
}
