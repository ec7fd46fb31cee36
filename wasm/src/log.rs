//! The session log's codec (`abi::LogCodec`); the file I/O is js/logfiles.mjs's, over the
//! host's node:fs.

use crate::{js_err, JsResult};
use ironlung_abi as abi;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_name = logHeader)]
pub fn log_header(salt: &[u8], base_seq: f64, created_ms: f64) -> JsResult<Vec<u8>> {
    abi::log_header(salt, base_seq, created_ms).map_err(js_err)
}

/// The session log's `'auto'` dictionary, trained quickly ([`abi::Training::Quick`]): on
/// this backend the training holds the JS thread.
#[wasm_bindgen(js_name = trainLogDictionary)]
pub fn train_log_dictionary(joined: &[u8], sizes: &[u32], max_bytes: f64) -> JsResult<Vec<u8>> {
    abi::train_dictionary(joined, sizes, max_bytes, abi::Training::Quick).map_err(js_err)
}

#[wasm_bindgen]
pub struct LogCodec {
    inner: abi::LogCodec,
}

#[wasm_bindgen]
impl LogCodec {
    #[wasm_bindgen(constructor)]
    pub fn new(header: &[u8], level: Option<i32>) -> JsResult<LogCodec> {
        Ok(LogCodec { inner: abi::LogCodec::new(header, level).map_err(js_err)? })
    }
    #[wasm_bindgen(js_name = fileInfo)]
    pub fn file_info(&self) -> Vec<f64> {
        self.inner.file_info()
    }
    pub fn tail(&self) -> Vec<f64> {
        self.inner.tail()
    }
    #[wasm_bindgen(js_name = nextSeq)]
    pub fn next_seq(&self) -> f64 {
        self.inner.next_seq()
    }
    #[wasm_bindgen(js_name = setTail)]
    pub fn set_tail(&mut self, tail: &[f64]) -> JsResult<()> {
        self.inner.set_tail(tail).map_err(js_err)
    }
    #[wasm_bindgen(js_name = dictionaryId)]
    pub fn dictionary_id(&self) -> f64 {
        self.inner.dictionary_id()
    }
    pub fn recover(&mut self, window: &[u8], window_at: f64, file_len: f64) -> Vec<f64> {
        self.inner.recover(window, window_at, file_len)
    }
    #[wasm_bindgen(js_name = loadDictionary)]
    pub fn load_dictionary(&mut self, window: &[u8], window_at: f64, at: f64) -> JsResult<f64> {
        self.inner.load_dictionary(window, window_at, at).map_err(js_err)
    }
    #[wasm_bindgen(js_name = writeDictionary)]
    pub fn write_dictionary(&mut self, bytes: &[u8]) -> JsResult<Vec<u8>> {
        self.inner.write_dictionary(bytes).map_err(js_err)
    }
    #[wasm_bindgen(js_name = writeRecords)]
    pub fn write_records(&mut self, kinds: &[u8], times: &[f64], data: &[u8], ends: &[u32]) -> JsResult<Vec<u8>> {
        self.inner.write_records(kinds, times, data, ends).map_err(js_err)
    }
    #[wasm_bindgen(js_name = writeCheckpoint)]
    pub fn write_checkpoint(&mut self, kind: u8, state: &[u8], meta: &[u8], time: f64) -> JsResult<Vec<u8>> {
        self.inner.write_checkpoint(kind, state, meta, time).map_err(js_err)
    }
    #[wasm_bindgen(js_name = copyFrame)]
    pub fn copy_frame(
        &mut self,
        from: &LogCodec,
        window: &[u8],
        window_at: f64,
        at: f64,
        raw_added: f64,
    ) -> JsResult<Vec<u8>> {
        self.inner.copy_frame(&from.inner, window, window_at, at, raw_added).map_err(js_err)
    }
    pub fn packer(&self) -> LogPacker {
        LogPacker { inner: self.inner.packer() }
    }
    #[wasm_bindgen(js_name = packInto)]
    pub fn pack_into(
        &self,
        packer: &mut LogPacker,
        window: &[u8],
        window_at: f64,
        at: f64,
        raw_added: f64,
    ) -> JsResult<bool> {
        self.inner.pack_into(&mut packer.inner, window, window_at, at, raw_added).map_err(js_err)
    }
    #[wasm_bindgen(js_name = frameInfo)]
    pub fn frame_info(&self, window: &[u8], window_at: f64, at: f64) -> Vec<f64> {
        self.inner.frame_info(window, window_at, at)
    }
    #[wasm_bindgen(js_name = nextValid)]
    pub fn next_valid(&self, window: &[u8], window_at: f64, from: f64) -> Vec<f64> {
        self.inner.next_valid(window, window_at, from)
    }
    pub fn scanner(&self) -> LogScanner {
        LogScanner { inner: self.inner.scanner() }
    }
    pub fn seek(&self, target: f64, end: f64, hint: f64) -> LogSeek {
        LogSeek { inner: self.inner.seek(target, end, hint) }
    }
    #[wasm_bindgen(js_name = readCheckpoint)]
    pub fn read_checkpoint(&mut self, window: &[u8], window_at: f64, at: f64) -> JsResult<Vec<f64>> {
        self.inner.read_checkpoint(window, window_at, at).map_err(js_err)
    }
    #[wasm_bindgen(js_name = takeData)]
    pub fn take_data(&mut self) -> Vec<u8> {
        self.inner.take_data()
    }
}

/// Compaction's repack (`abi::LogPacker`); `write` compresses on this thread, a budget at a
/// time.
#[wasm_bindgen]
pub struct LogPacker {
    inner: abi::LogPacker,
}

#[wasm_bindgen]
impl LogPacker {
    pub fn write(&mut self, last: bool, budget: f64) -> JsResult<Vec<u8>> {
        self.inner.write(last, budget).map_err(js_err)
    }
    pub fn done(&self) -> bool {
        self.inner.done()
    }
}

/// One walk's reader (`abi::LogScanner`).
#[wasm_bindgen]
pub struct LogScanner {
    inner: abi::LogScanner,
}

#[wasm_bindgen]
impl LogScanner {
    pub fn scan(&mut self, window: &[u8], window_at: f64, at: f64, from: f64, to: f64, max_bytes: f64) -> Vec<f64> {
        self.inner.scan(window, window_at, at, from, to, max_bytes)
    }
    #[wasm_bindgen(js_name = takeData)]
    pub fn take_data(&mut self) -> Vec<u8> {
        self.inner.take_data()
    }
    pub fn error(&self) -> String {
        self.inner.error()
    }
}

/// One search for where reading starts (`abi::LogSeek`).
#[wasm_bindgen]
pub struct LogSeek {
    inner: abi::LogSeek,
}

#[wasm_bindgen]
impl LogSeek {
    pub fn step(&mut self) -> Vec<f64> {
        self.inner.step()
    }
    pub fn feed(&mut self, window: &[u8], window_at: f64) {
        self.inner.feed(window, window_at)
    }
}
