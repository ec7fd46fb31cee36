//! What the per-call examples share (not an example itself: cargo builds only
//! `examples/*.rs` and `examples/*/main.rs`).

/// `text` cut into pieces of at most `size` bytes on character boundaries, as the bench's
/// per-call measurement cuts its corpus.
pub fn chunks(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let mut e = (at + size).min(text.len());
        while !text.is_char_boundary(e) {
            e -= 1;
        }
        out.push(&text[at..e]);
        at = e;
    }
    out
}
