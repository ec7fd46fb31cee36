//! Differential tests: ironlung's tokenizer against tiktoken-rs (OpenAI's own Rust core
//! with its fancy-regex patterns) on fixed tricky texts and on seeded random texts.

use ironlung_core::tokenizer::{get_encoding, list_encodings, Encoding, SpecialSet, Within};
use std::sync::OnceLock;
use tiktoken_rs::CoreBPE;

mod common;
use common::{fixed_texts, random_text, Rng};

fn reference(name: &str) -> &'static CoreBPE {
    static CELLS: [OnceLock<CoreBPE>; 6] = [const { OnceLock::new() }; 6];
    let i = list_encodings().iter().position(|n| *n == name).unwrap();
    CELLS[i].get_or_init(|| {
        match name {
            "r50k_base" => tiktoken_rs::r50k_base(),
            "p50k_base" => tiktoken_rs::p50k_base(),
            "p50k_edit" => tiktoken_rs::p50k_edit(),
            "cl100k_base" => tiktoken_rs::cl100k_base(),
            "o200k_base" => tiktoken_rs::o200k_base(),
            "o200k_harmony" => tiktoken_rs::o200k_harmony(),
            _ => unreachable!(),
        }
        .unwrap()
    })
}

fn check_one(enc: &Encoding, reference: &CoreBPE, text: &str) {
    let want = reference.encode_ordinary(text);
    let got = enc.encode_ordinary(text);
    assert_eq!(got, want, "{} encode_ordinary differs on {text:?}", enc.name());
    assert_eq!(enc.count(text), want.len(), "{} count differs on {text:?}", enc.name());
    let bytes = enc.decode_bytes(&got).unwrap();
    assert_eq!(bytes, text.as_bytes(), "{} round trip", enc.name());
}

#[test]
fn fixed_texts_match_tiktoken() {
    for name in list_encodings() {
        let enc = get_encoding(name).unwrap();
        let r = reference(name);
        for t in fixed_texts() {
            check_one(enc, r, &t);
        }
    }
}

#[test]
fn random_texts_match_tiktoken() {
    let per_encoding: usize = std::env::var("IRONLUNG_DIFF_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    for (k, name) in list_encodings().into_iter().enumerate() {
        let enc = get_encoding(name).unwrap();
        let r = reference(name);
        let mut rng = Rng(0x9E3779B97F4A7C15 ^ (k as u64 + 1));
        for _ in 0..per_encoding {
            let t = random_text(&mut rng, 24);
            check_one(enc, r, &t);
        }
    }
}

#[test]
fn special_tokens_follow_tiktoken() {
    for name in list_encodings() {
        let enc = get_encoding(name).unwrap();
        let r = reference(name);
        let text = format!("hi {} there {}", enc.special_tokens()[0], enc.special_tokens().last().unwrap());
        // Disallowed by default.
        let err = enc.encode(&text, &SpecialSet::none(), &SpecialSet::All).unwrap_err();
        assert_eq!(err.code(), "ERR_DISALLOWED_SPECIAL");
        assert!(err.to_string().contains(&enc.special_tokens()[0]), "{}", err);
        // 'all' allowed -> same ids as tiktoken's encode_with_special_tokens.
        let got = enc.encode(&text, &SpecialSet::All, &SpecialSet::All).unwrap();
        assert_eq!(got, r.encode_with_special_tokens(&text), "{name}");
        // Nothing disallowed -> ordinary text.
        let got = enc.encode(&text, &SpecialSet::none(), &SpecialSet::none()).unwrap();
        assert_eq!(got, r.encode_ordinary(&text), "{name}");
        // Allow only the first: the last is then disallowed (if distinct).
        let first = vec![enc.special_tokens()[0].clone()];
        let res = enc.encode(&text, &SpecialSet::Only(first.clone()), &SpecialSet::All);
        if enc.special_tokens().len() > 1 {
            assert_eq!(res.unwrap_err().code(), "ERR_DISALLOWED_SPECIAL");
            let ok = enc.encode(&text, &SpecialSet::Only(first), &SpecialSet::none()).unwrap();
            let allowed: std::collections::HashSet<&str> = [enc.special_tokens()[0].as_str()].into();
            assert_eq!(ok, r.encode(&text, &allowed).unwrap().0, "{name}");
        }
        // Unknown names are an argument error.
        let bad = SpecialSet::Only(vec!["<|nope|>".into()]);
        assert_eq!(enc.encode("x", &bad, &SpecialSet::All).unwrap_err().code(), "ERR_INVALID_ARG");
        // Special ids decode to their text.
        assert_eq!(enc.decode(&got_special(enc)).unwrap(), enc.special_tokens()[0]);
    }
}

fn got_special(enc: &Encoding) -> Vec<u32> {
    enc.encode(&enc.special_tokens()[0], &SpecialSet::All, &SpecialSet::All).unwrap()
}

#[test]
fn decode_rejects_unknown_ids_and_replaces_bad_utf8() {
    let enc = get_encoding("cl100k_base").unwrap();
    let err = enc.decode(&[9906, 4294967295]).unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_TOKEN");
    assert!(err.to_string().contains("4294967295") && err.to_string().contains("index 1"), "{}", err);
    assert_eq!(enc.decode(&[100261]).unwrap_err().code(), "ERR_INVALID_TOKEN");
    // "😀" is several tokens; its first token alone is not valid UTF-8.
    let toks = enc.encode_ordinary("😀");
    assert!(toks.len() > 1);
    assert_eq!(enc.decode(&toks[..1]).unwrap(), "\u{fffd}");
    assert_eq!(enc.decode_bytes(&toks[..1]).unwrap(), &"😀".as_bytes()[..enc.decode_bytes(&toks[..1]).unwrap().len()]);
}

/// The longest prefix, by brute force over every character boundary.
fn brute_truncate<'t>(enc: &Encoding, text: &'t str, max: usize) -> &'t str {
    let mut best = "";
    for (i, _) in text.char_indices().skip(1).chain(std::iter::once((text.len(), ' '))) {
        if enc.count(&text[..i]) <= max {
            best = &text[..i];
        }
    }
    best
}

#[test]
fn truncate_is_the_longest_fitting_prefix() {
    for (k, name) in ["r50k_base", "cl100k_base", "o200k_base"].into_iter().enumerate() {
        let enc = get_encoding(name).unwrap();
        let mut rng = Rng(77 + k as u64);
        let mut texts = fixed_texts().into_iter().filter(|t| t.len() < 400).collect::<Vec<_>>();
        for _ in 0..300 {
            texts.push(random_text(&mut rng, 16));
        }
        for t in &texts {
            let n = enc.count(t);
            for max in 0..=n + 1 {
                let got = enc.truncate(t, max);
                let want = brute_truncate(enc, t, max);
                assert!(enc.count(got) <= max, "{name} {t:?} max {max}: {got:?} too long");
                assert_eq!(got, want, "{name} {t:?} max {max}");
            }
        }
    }
}

#[test]
fn truncate_long_inputs_is_fast_and_fits() {
    let enc = get_encoding("o200k_base").unwrap();
    let a = "a".repeat(1_000_000);
    let got = enc.truncate(&a, 1000);
    assert!(enc.count(got) <= 1000 && got.len() > 1000);
    let cjk = "中文".repeat(100_000);
    let got = enc.truncate(&cjk, 777);
    assert!(enc.count(got) <= 777 && enc.count(&cjk[..got.len() + 3]) > 777);
}

/// Digit runs, which cl100k and o200k cut every three digits (`\p{N}{1,3}`): runs of every
/// length up to 200 between letters, spaces, newlines and punctuation, of ASCII and Unicode
/// digits, long documents of them, and runs of a megabyte.
#[test]
fn digit_runs_match_tiktoken() {
    // Arabic-Indic, extended Arabic-Indic, Devanagari and fullwidth digits, superscripts, a
    // fraction, a Roman numeral, a circled digit, a mathematical digit (four bytes).
    const UNITS: &[&str] = &[
        "1",
        "0123456789",
        "12\u{663}",
        "\u{660}\u{661}\u{6f4}",
        "\u{966}9",
        "\u{ff11}\u{ff12}3",
        "9\u{b2}\u{2074}",
        "\u{bd}1\u{2167}\u{2460}\u{1d7cf}",
    ];
    const AROUND: &[(&str, &str)] = &[
        ("", ""),
        (" ", " "),
        ("a", "b"),
        ("Ab", "cD"),
        ("\n", "\n"),
        ("  ", "\n\n"),
        ("$", "."),
        ("x ", "'s"),
        ("\u{663}", "\u{e9}"),
        ("\u{a0}", "\u{3000}x"),
    ];
    let mut texts = Vec::new();
    for unit in UNITS {
        for n in 1..=200 {
            let run: String = unit.chars().cycle().take(n).collect();
            for (before, after) in AROUND {
                texts.push(format!("{before}{run}{after}"));
            }
        }
    }
    let mut rng = Rng(0xd16175);
    const PARTS: &[&str] = &[
        " ", "\n", "\n\n", "  ", "\t", "a", "Word", "the", ".", ",", "-", "$", "/", "'s", "\u{e9}", "\u{4e2d}",
        "\u{a0}",
    ];
    for _ in 0..4 {
        let mut doc = String::new();
        while doc.len() < 64 << 10 {
            if rng.below(2) == 0 {
                let unit = UNITS[rng.below(UNITS.len())];
                doc.extend(unit.chars().cycle().take(1 + rng.below(300)));
            } else {
                doc.push_str(PARTS[rng.below(PARTS.len())]);
            }
        }
        texts.push(doc);
    }
    texts.push("1".repeat(1 << 20));
    texts.push(format!("a{}\n", "1234567890".repeat(100_000)));
    for name in list_encodings() {
        let enc = get_encoding(name).unwrap();
        let r = reference(name);
        for t in &texts {
            check_one(enc, r, t);
            if t.len() > 1000 {
                let n = enc.count(t);
                assert_eq!(enc.count_within(t, n, true), Within::Count(n), "{name}");
                assert_eq!(enc.count_within(t, n - 1, true), Within::Exceeds, "{name}");
                assert_eq!(enc.count_parallel(t), n, "{name}");
            }
        }
    }
}
