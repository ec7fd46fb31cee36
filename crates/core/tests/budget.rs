//! Token budgets, truncation from every side, and chunking, checked against brute force.

use ironlung_core::tokenizer::{get_encoding, Boundary, Cut, Encoding, Within};

mod common;
use common::{fixed_texts, random_text, Rng};

fn boundaries(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    v.push(text.len());
    v
}

fn brute_suffix<'t>(enc: &Encoding, text: &'t str, max: usize) -> &'t str {
    for i in boundaries(text) {
        if enc.count(&text[i..]) <= max {
            return &text[i..];
        }
    }
    ""
}

fn texts(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut v: Vec<String> = fixed_texts().into_iter().filter(|t| t.len() < 300).collect();
    v.extend((0..n).map(|_| random_text(&mut rng, 20)));
    v.push("HELLOworld ABCdef 中文字符 ÀÉÎ x".repeat(3));
    v
}

#[test]
fn count_within_is_exact_and_prefix_safe() {
    for name in ["r50k_base", "cl100k_base", "o200k_base"] {
        let enc = get_encoding(name).unwrap();
        for t in texts(5, 400) {
            let n = enc.count(&t);
            for limit in [0, 1, 2, n.saturating_sub(1), n, n + 1] {
                let want = if n <= limit { Within::Count(n) } else { Within::Exceeds };
                assert_eq!(enc.count_within(&t, limit, true), want, "{name} {t:?} {limit}");
                // Any prefix: Exceeds only when the whole text exceeds.
                for cut in boundaries(&t) {
                    match enc.count_within(&t[..cut], limit, false) {
                        Within::Exceeds => assert!(n > limit, "{name} {t:?} cut {cut} limit {limit}"),
                        Within::NeedMore => {}
                        Within::Count(_) => panic!("a prefix never gives a final count"),
                    }
                }
            }
        }
    }
}

#[test]
fn suffix_is_the_longest_fitting_suffix() {
    for name in ["cl100k_base", "o200k_base"] {
        let enc = get_encoding(name).unwrap();
        for t in texts(9, 150) {
            let n = enc.count(&t);
            for max in 0..=n + 1 {
                let got = enc.truncate_suffix(&t, max);
                assert!(enc.count(got) <= max);
                assert_eq!(got, brute_suffix(enc, &t, max), "{name} {t:?} {max}");
            }
        }
    }
}

#[test]
fn truncate_with_fits_the_budget_marker_included() {
    for name in ["cl100k_base", "o200k_base"] {
        let enc = get_encoding(name).unwrap();
        let text = "Line one.\r\nLine two has 中文 and emoji 👩‍💻.\n\nThird paragraph: the end.".repeat(5);
        let total = enc.count(&text);
        for cut in [Cut::End, Cut::Start, Cut::Middle] {
            for max in 12..total + 2 {
                let t = enc.truncate_with(&text, max, cut, None).unwrap();
                assert!(t.tokens <= max && enc.count(&t.text) == t.tokens, "{name} {cut:?} {max}");
                if max >= total {
                    assert!(!t.truncated && t.text == text);
                    continue;
                }
                assert!(t.truncated && t.omitted > 0);
                match cut {
                    Cut::End => assert!(text.starts_with(&t.text)),
                    Cut::Start => assert!(text.ends_with(&t.text)),
                    Cut::Middle => {
                        let marker = format!("\n[… {} tokens omitted …]\n", t.omitted);
                        let (head, tail) = t.text.split_once(&marker).expect("marker present");
                        assert!(text.starts_with(head) && text.ends_with(tail));
                        assert_eq!(enc.count(&text[head.len()..text.len() - tail.len()]), t.omitted);
                    }
                }
            }
        }
        // A marker that alone exceeds the budget is an argument error, also when the text fits.
        let e = enc.truncate_with("hi", 3, Cut::End, Some("[a very long marker indeed]")).unwrap_err();
        assert_eq!(e.code(), "ERR_INVALID_ARG");
        assert!(e.to_string().contains("max_tokens 3"), "{}", e);
        assert_eq!(enc.truncate_with("", 0, Cut::End, None).unwrap().text, "");
        assert_eq!(enc.truncate_with("abc def", 0, Cut::Start, None).unwrap().text, "");
    }
}

#[test]
fn chunks_tile_fit_and_respect_boundaries() {
    let enc = get_encoding("cl100k_base").unwrap();
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(&format!("line {i}: 中文 😀 and some words\r\n"));
        if i % 7 == 0 {
            text.push_str("\r\n");
        }
    }
    for boundary in [Boundary::Token, Boundary::Line, Boundary::Paragraph] {
        for max in [1, 3, 7, 20, 64, 1000] {
            let chunks = match enc.chunk(&text, max, 0, boundary) {
                Ok(c) => c,
                Err(e) => {
                    // Only a budget below one character's tokens may fail.
                    assert!(max < 3 && e.code() == "ERR_INVALID_ARG", "{e}");
                    continue;
                }
            };
            let joined: String = chunks.iter().map(|c| &text[c.start..c.end]).collect();
            assert_eq!(joined, text, "{boundary:?} {max}");
            for c in &chunks {
                assert!(c.tokens <= max && c.tokens == enc.count(&text[c.start..c.end]));
            }
            if boundary != Boundary::Token && max >= 20 {
                for c in &chunks[..chunks.len() - 1] {
                    assert!(text[..c.end].ends_with("\r\n"), "{boundary:?} {max}: CRLF kept whole");
                }
            }
        }
    }
    // Overlap: each chunk repeats at most `overlap` tokens of the previous one and advances.
    let chunks = enc.chunk(&text, 50, 10, Boundary::Token).unwrap();
    for w in chunks.windows(2) {
        assert!(w[1].start > w[0].start && w[1].start <= w[0].end);
        assert!(enc.count(&text[w[1].start..w[0].end]) <= 10);
    }
    assert_eq!(chunks.last().unwrap().end, text.len());
    assert!(enc.chunk("", 5, 0, Boundary::Line).unwrap().is_empty());
    assert_eq!(enc.chunk("x", 0, 0, Boundary::Token).unwrap_err().code(), "ERR_INVALID_ARG");
    assert_eq!(enc.chunk("x", 5, 5, Boundary::Token).unwrap_err().code(), "ERR_INVALID_ARG");
}

#[test]
fn emoji_and_cjk_at_every_cut_point() {
    let enc = get_encoding("o200k_base").unwrap();
    let text = "👩‍👩‍👧‍👦中文字符😀ab日本語";
    for max in 1..=enc.count(text) {
        for cut in [Cut::End, Cut::Start, Cut::Middle] {
            if let Ok(t) = enc.truncate_with(text, max, cut, Some("")) {
                assert!(enc.count(&t.text) <= max);
            }
        }
        if let Ok(chunks) = enc.chunk(text, max, 0, Boundary::Token) {
            let joined: String = chunks.iter().map(|c| &text[c.start..c.end]).collect();
            assert_eq!(joined, text);
        }
    }
}
