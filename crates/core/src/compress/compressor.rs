//! A zstd compression context of its own, for a caller that makes many large frames in a
//! row (a log's repack), each in steps.
//!
//! [`compress`](super::compress) and [`compress_with`](super::compress_with) use one context
//! per thread and drop it after a call that grew it past a few MiB; on a thread pool, frames
//! of several MiB at a high level would then allocate a context of tens of MiB each time,
//! on whichever thread runs them, and the allocator keeps what each thread freed. Steps let a
//! caller with one thread (wasm) compress a large frame without holding that thread for the
//! whole of it.

use super::dictionary::Dictionary;
use super::{check_level, reason};
use crate::error::{Error, Result};
use zstd::zstd_safe::zstd_sys::ZSTD_EndDirective as EndDirective;
use zstd::zstd_safe::{self, CParameter, InBuffer, OutBuffer};

/// A zstd context, made when first used and reused for every frame after.
///
/// Every frame it makes records its content size and ends in a content checksum, as
/// [`compress`](super::compress)'s do. A clone starts with no context of its own.
#[derive(Default)]
pub struct Compressor {
    cctx: Option<zstd_safe::CCtx<'static>>,
    /// The input taken so far of the frame being made in steps, if one is.
    taken: Option<usize>,
    // zstd keeps a pointer to the prepared dictionary while a frame is made with it.
    dictionary: Option<Dictionary>,
}

impl Clone for Compressor {
    fn clone(&self) -> Compressor {
        Compressor::default()
    }
}

impl Compressor {
    /// Starts a frame of the `len` bytes that [`step`](Self::step) will be given, at `level`,
    /// or at the dictionary's with `dictionary`; reserves its largest output in `out`.
    ///
    /// Errors: [`Error::LevelOutOfRange`]; [`Error::NoMemory`] for no context or no room.
    pub fn begin(&mut self, len: usize, level: i32, dictionary: Option<&Dictionary>, out: &mut Vec<u8>) -> Result<()> {
        check_level(level)?;
        self.taken = None;
        self.dictionary = None;
        if self.cctx.is_none() {
            self.cctx = zstd_safe::CCtx::try_create();
        }
        let cctx = self.cctx.as_mut().ok_or_else(|| Error::no_memory("a zstd compressor"))?;
        let bound = zstd_safe::compress_bound(len);
        out.try_reserve_exact(bound).map_err(|_| Error::no_memory(format!("{bound} bytes to compress {len} bytes")))?;
        cctx.reset(zstd_safe::ResetDirective::SessionAndParameters).map_err(internal)?;
        match dictionary {
            Some(d) => d.refer(cctx, len).map_err(internal)?,
            None => cctx.set_parameter(CParameter::CompressionLevel(level)).map_err(internal)?,
        };
        cctx.set_parameter(CParameter::ChecksumFlag(true)).map_err(internal)?;
        cctx.set_pledged_src_size(Some(len as u64)).map_err(internal)?;
        self.dictionary = dictionary.cloned();
        self.taken = Some(0);
        Ok(())
    }

    /// Compresses up to `budget` more bytes of `data` (the frame's whole input, the same
    /// slice at every step) into `out`, and returns whether the frame is done.
    ///
    /// Errors: [`Error::Internal`] for a step with no frame begun, or another `data`'s
    /// length; what zstd reports.
    pub fn step(&mut self, data: &[u8], budget: usize, out: &mut Vec<u8>) -> Result<bool> {
        let (Some(cctx), Some(taken)) = (self.cctx.as_mut(), self.taken) else {
            return Err(Error::Internal { reason: "a compression step with no frame begun".into() });
        };
        if taken > data.len() {
            return Err(Error::Internal { reason: "a compression step given less input than before".into() });
        }
        let end = taken.saturating_add(budget.max(1)).min(data.len());
        let last = end == data.len();
        let mut input = InBuffer::around(&data[taken..end]);
        let directive = if last { EndDirective::ZSTD_e_end } else { EndDirective::ZSTD_e_continue };
        loop {
            // The room reserved at the start holds the whole frame: zstd never needs more.
            if out.capacity() == out.len() {
                out.try_reserve(zstd_safe::CCtx::out_size()).map_err(|_| Error::no_memory("compressed output"))?;
            }
            let mut output = OutBuffer::around_pos(out, out.len());
            let left = cctx.compress_stream2(&mut output, &mut input, directive).map_err(internal)?;
            let done = if last { left == 0 } else { input.pos() == input.src.len() };
            if done {
                break;
            }
        }
        if last {
            self.taken = None;
            self.dictionary = None;
        } else {
            self.taken = Some(end);
        }
        Ok(last)
    }
}

fn internal(code: usize) -> Error {
    Error::Internal { reason: format!("zstd failed to compress: {}", reason::describe(code)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compress::{decompress, decompress_with, frame_info, train_dictionary};

    /// A frame of `data` in one step.
    fn whole(c: &mut Compressor, data: &[u8], level: i32, dictionary: Option<&Dictionary>) -> Vec<u8> {
        let mut out = Vec::new();
        c.begin(data.len(), level, dictionary, &mut out).unwrap();
        assert!(c.step(data, usize::MAX, &mut out).unwrap());
        out
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n).map(|i| format!("line {} of the log: {}\n", i, i % 97)).collect::<String>().into_bytes()
    }

    #[test]
    fn frames_made_whole_or_in_steps_decode_to_their_input_and_declare_their_size() {
        let data = text(40_000);
        let mut c = Compressor::default();
        let one = whole(&mut c, &data, 9, None);
        for budget in [1, 1000, 128 << 10, usize::MAX] {
            let mut out = Vec::new();
            c.begin(data.len(), 9, None, &mut out).unwrap();
            let mut steps = 1;
            while !c.step(&data, budget, &mut out).unwrap() {
                steps += 1;
            }
            assert_eq!(decompress(&out, data.len()).unwrap(), data, "budget {budget}");
            let info = frame_info(&out).unwrap();
            assert_eq!((info.content_size, info.has_checksum), (Some(data.len() as u64), true));
            if budget >= data.len() {
                assert_eq!((steps, &out), (1, &one));
            } else {
                assert!(steps > 1);
            }
        }
        // The context is reused, and an empty frame is a frame.
        assert_eq!(decompress(&whole(&mut c, b"", 3, None), 10).unwrap(), b"");
    }

    #[test]
    fn with_a_dictionary_frames_need_it() {
        let samples: Vec<Vec<u8>> = (0..500).map(|i| text(i % 30 + 5)).collect();
        let dict = Dictionary::new(&train_dictionary(&samples, 4096).unwrap(), 9).unwrap();
        let data = text(3000);
        let z = whole(&mut Compressor::default(), &data, 9, Some(&dict));
        assert_eq!(decompress_with(&z, data.len(), Some(&dict)).unwrap(), data);
        assert!(decompress(&z, data.len()).is_err());
    }

    #[test]
    fn a_step_with_no_frame_begun_is_an_error_not_a_panic() {
        let mut c = Compressor::default();
        assert!(matches!(c.step(b"abc", 10, &mut Vec::new()), Err(Error::Internal { .. })));
        let mut out = Vec::new();
        c.begin(10, 3, None, &mut out).unwrap();
        assert!(c.step(&[0; 10], 4, &mut out).is_ok());
        assert!(matches!(c.step(&[0; 2], 4, &mut out), Err(Error::Internal { .. })));
        assert!(matches!(c.begin(10, 99, None, &mut out), Err(Error::LevelOutOfRange { .. })));
    }
}
