//! zstd streams as both bindings hold them: an object per stream, fed one JS chunk at a
//! time. The compressor returns each chunk's output whole (it is never much larger than the
//! chunk); the decompressor keeps the chunk and hands its output out in pieces of the
//! caller's size, so that a small chunk that decodes to gigabytes never sits in memory at
//! once.

use crate::Result;
use ironlung_core::compress::{Decoder, Dictionary, Encoder};

/// A compressing stream: one zstd frame, fed in chunks.
pub struct CompressStream {
    encoder: Encoder,
}

impl CompressStream {
    /// A stream at `level`.
    pub fn new(level: i32, checksum: bool) -> Result<CompressStream> {
        Ok(CompressStream { encoder: Encoder::new(level, checksum)? })
    }

    /// A stream that compresses with `dictionary`, at its level; `level` is the call's own,
    /// when it gave one, and must be that level.
    pub fn with_dictionary(dictionary: &Dictionary, level: Option<i32>, checksum: bool) -> Result<CompressStream> {
        crate::dictionary::check_level(dictionary, level)?;
        Ok(CompressStream { encoder: Encoder::with_dictionary(dictionary, checksum)? })
    }

    /// Promises that the frame's input will be exactly `size` bytes (a whole number the
    /// caller checked): see [`Encoder::pledge`].
    pub fn pledge(&mut self, size: f64) -> Result<()> {
        Ok(self.encoder.pledge(size as u64)?)
    }

    /// Compresses `data`; returns the output zstd has ready (often none: it fills a block
    /// first).
    pub fn write(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encoder.write(data, &mut out)?;
        Ok(out)
    }

    /// Ends the current block: returns everything needed to decode what was written so far.
    pub fn flush(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encoder.flush(&mut out)?;
        Ok(out)
    }

    /// Ends the frame: returns the rest of the output.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encoder.finish(&mut out)?;
        Ok(out)
    }
}

/// A decompressing stream: chunks in with [`push`](Self::push), output out with
/// [`pull`](Self::pull).
pub struct DecompressStream {
    decoder: Decoder,
    input: Vec<u8>,
    used: usize,
    piece: Vec<u8>,
}

impl DecompressStream {
    /// A stream whose whole output may not pass `max_output_bytes`.
    pub fn new(max_output_bytes: f64, dictionary: Option<&Dictionary>) -> Result<DecompressStream> {
        Ok(DecompressStream {
            decoder: Decoder::new(max_output_bytes as u64, dictionary)?,
            input: Vec::new(),
            used: 0,
            piece: Vec::new(),
        })
    }

    /// Queues `data` after what is left of the chunks pushed before.
    pub fn push(&mut self, data: &[u8]) {
        self.input.drain(..self.used);
        self.used = 0;
        self.input.extend_from_slice(data);
    }

    /// Up to `max` bytes of output (at least 1). Empty once the chunks pushed so far are
    /// used up and zstd holds nothing back.
    pub fn pull(&mut self, max: usize) -> Result<Vec<u8>> {
        let mut piece = std::mem::take(&mut self.piece);
        piece.resize(piece.len().max(max.max(1)), 0);
        let produced = self.pull_into(&mut piece[..max.max(1)]);
        let out = produced.map(|n| piece[..n].to_vec());
        self.piece = piece;
        out
    }

    /// Decodes into `out`, as [`pull`](Self::pull) does into a piece of its length, and
    /// returns how many bytes it wrote: 0 once the chunks pushed so far are used up and zstd
    /// holds nothing back. For a binding that owns the output's memory, which saves a copy.
    pub fn pull_into(&mut self, out: &mut [u8]) -> Result<usize> {
        loop {
            let p = self.decoder.decode(&self.input[self.used..], out)?;
            self.used += p.consumed;
            // Input taken into a frame header produces nothing yet: go on.
            if p.produced > 0 || p.consumed == 0 {
                return Ok(p.produced);
            }
        }
    }

    /// At the end of the input, once [`pull`](Self::pull) returned nothing: checks that the
    /// stream ended where a frame ends.
    pub fn finish(&self) -> Result<()> {
        Ok(self.decoder.finish()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_and_their_level() {
        let samples: Vec<Vec<u8>> = (0..500)
            .map(|i| format!(r#"{{"tool":"grep","path":"src/m{}.rs","ok":true}}"#, i % 40).into_bytes())
            .collect();
        let dict = Dictionary::new(&ironlung_core::compress::train_dictionary(&samples, 2048).unwrap(), 5).unwrap();
        assert_eq!(CompressStream::with_dictionary(&dict, Some(3), true).err().unwrap().code, "ERR_INVALID_ARG");
        let mut c = CompressStream::with_dictionary(&dict, Some(5), true).unwrap();
        let mut packed = c.write(&samples[9]).unwrap();
        packed.extend(c.finish().unwrap());
        let mut d = DecompressStream::new(1000.0, None).unwrap();
        d.push(&packed);
        assert_eq!(d.pull(100).unwrap_err().code, "ERR_DICTIONARY_MISMATCH");
        let mut d = DecompressStream::new(1000.0, Some(&dict)).unwrap();
        d.push(&packed);
        assert_eq!(d.pull(1000).unwrap(), samples[9]);
    }

    #[test]
    fn chunks_in_pieces_out() {
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let mut c = CompressStream::new(3, true).unwrap();
        let mut packed = Vec::new();
        for chunk in text.chunks(7777) {
            packed.extend(c.write(chunk).unwrap());
        }
        packed.extend(c.finish().unwrap());
        let mut d = DecompressStream::new(text.len() as f64, None).unwrap();
        let mut out = Vec::new();
        for chunk in packed.chunks(1000) {
            d.push(chunk);
            loop {
                let piece = d.pull(4096).unwrap();
                assert!(piece.len() <= 4096);
                if piece.is_empty() {
                    break;
                }
                out.extend(piece);
            }
        }
        d.finish().unwrap();
        assert_eq!(out, text);
        let mut d = DecompressStream::new((text.len() - 1) as f64, None).unwrap();
        d.push(&packed);
        let e = loop {
            match d.pull(1 << 16) {
                Ok(p) if p.is_empty() => panic!("the cap did not hold"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert_eq!(e.code, "ERR_OUTPUT_TOO_LARGE");
    }
}
