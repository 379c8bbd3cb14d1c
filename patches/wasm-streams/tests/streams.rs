//! The stand-in's behaviour in headless Chromium, against real JS `ReadableStream`s.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p wasm-streams --target wasm32-unknown-unknown --profile wasm-test`
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use futures_util::stream::{self, StreamExt};
use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_streams::ReadableStream;
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult};

wasm_bindgen_test_configure!(run_in_browser);

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

/// Sets its flag when dropped: tells when the Rust stream owning it is gone.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn reader(raw: &web_sys::ReadableStream) -> ReadableStreamDefaultReader {
    raw.get_reader().unchecked_into()
}

/// One `read()` by JS: `Some(value)`, or `None` at the end.
async fn read(reader: &ReadableStreamDefaultReader) -> Result<Option<JsValue>, JsValue> {
    let result: ReadableStreamReadResult = JsFuture::from(reader.read()).await?.unchecked_into();
    Ok((!result.get_done().unwrap_or_default()).then(|| result.get_value()))
}

#[wasm_bindgen_test]
async fn a_rust_stream_reads_back_the_same_through_a_js_stream() {
    let raw =
        ReadableStream::from_stream(stream::iter(["a", "b", "c"].map(|s| Ok(text(s))))).into_raw();
    let back: Vec<_> = ReadableStream::from_raw(raw).into_stream().collect().await;
    assert_eq!(back, ["a", "b", "c"].map(|s| Ok(text(s))));
}

#[wasm_bindgen_test]
async fn js_reads_the_chunks_then_the_end() {
    let raw =
        ReadableStream::from_stream(stream::iter([Ok(text("x")), Ok(JsValue::from(2))])).into_raw();
    let reader = reader(&raw);
    assert_eq!(read(&reader).await, Ok(Some(text("x"))));
    assert_eq!(read(&reader).await, Ok(Some(JsValue::from(2))));
    assert_eq!(read(&reader).await, Ok(None));
    assert_eq!(read(&reader).await, Ok(None));
}

#[wasm_bindgen_test]
async fn an_error_of_the_rust_stream_errors_the_js_stream() {
    let items = [Ok(text("a")), Err(text("boom")), Ok(text("never"))];
    let raw = ReadableStream::from_stream(stream::iter(items)).into_raw();
    let reader = reader(&raw);
    assert_eq!(read(&reader).await, Ok(Some(text("a"))));
    assert_eq!(read(&reader).await, Err(text("boom")));
    // An errored JS stream stays errored.
    assert_eq!(read(&reader).await, Err(text("boom")));
}

#[wasm_bindgen_test]
async fn the_rust_stream_is_polled_only_when_js_reads() {
    let polls = Rc::new(Cell::new(0));
    let counted = Rc::clone(&polls);
    let raw = ReadableStream::from_stream(stream::iter(["a", "b"]).map(move |s| {
        counted.set(counted.get() + 1);
        Ok(text(s))
    }))
    .into_raw();
    let reader = reader(&raw);
    // Let the stream start (it pulls nothing with a high water mark of 0).
    JsFuture::from(Promise::resolve(&JsValue::UNDEFINED))
        .await
        .expect("resolved");
    assert_eq!(polls.get(), 0);
    assert_eq!(read(&reader).await, Ok(Some(text("a"))));
    assert_eq!(polls.get(), 1);
}

#[wasm_bindgen_test]
async fn cancelling_the_js_stream_drops_the_rust_stream_even_mid_pull() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(Rc::clone(&dropped));
    // A stream that never yields: the read below stays pending.
    let raw = ReadableStream::from_stream(stream::pending().map(move |item| {
        let _owned = &flag;
        item
    }))
    .into_raw();
    let reader = reader(&raw);
    let pending_read = JsFuture::from(reader.read());
    JsFuture::from(reader.cancel())
        .await
        .expect("cancel resolves");
    assert!(dropped.get(), "the Rust stream is dropped");
    // The read waiting on it ends.
    let result: ReadableStreamReadResult = pending_read.await.expect("read").unchecked_into();
    assert_eq!(result.get_done(), Some(true));
}

#[wasm_bindgen_test]
async fn a_js_error_ends_the_rust_stream_with_it() {
    let raw: web_sys::ReadableStream =
        js_sys::eval("new ReadableStream({ start(c) { c.enqueue('a'); c.error('bad'); } })")
            .expect("stream")
            .unchecked_into();
    let back: Vec<_> = ReadableStream::from_raw(raw).into_stream().collect().await;
    // `error()` right after `enqueue()` discards the queued chunk, as the spec says.
    assert_eq!(back, [Err(text("bad"))]);
}

#[wasm_bindgen_test]
async fn dropping_the_rust_stream_early_cancels_the_js_stream() {
    let raw: web_sys::ReadableStream = js_sys::eval(
        "window.cancelled = new Promise(function (resolve) { window.onCancel = resolve; });
         new ReadableStream({ pull(c) { c.enqueue('a'); }, cancel(reason) { window.onCancel('yes'); } })",
    )
    .expect("stream")
    .unchecked_into();
    let mut chunks = ReadableStream::from_raw(raw).into_stream();
    assert_eq!(chunks.next().await, Some(Ok(text("a"))));
    drop(chunks);
    let cancelled: Promise = js_sys::eval("window.cancelled")
        .expect("promise")
        .unchecked_into();
    assert_eq!(JsFuture::from(cancelled).await, Ok(text("yes")));
}
