//! Canal's stand-in for the `wasm-streams` crate (0.5), put in its place by the
//! workspace's `[patch.crates-io]` (root `Cargo.toml`).
//!
//! Leptos depends on `server_fn`, which converts between Rust streams and JS
//! `ReadableStream`s with `wasm-streams` for streaming server functions. Canal has no
//! server functions, but the real crate defines three `#[wasm_bindgen]` classes
//! (`IntoUnderlyingSource`, `IntoUnderlyingByteSource`, `IntoUnderlyingSink`) whose
//! methods are exported from every wasm that links it, and exports are kept whatever the
//! program calls: they, their JS classes and the async machinery behind them made up
//! ~5.5 KB of the widget frame's 100 KB brotli budget (and as much of the console).
//!
//! This crate has the part of the API `server_fn` 0.8 calls, with the same behaviour:
//! [`ReadableStream::from_stream`] (a JS stream pulling from a Rust stream, with a high
//! water mark of 0), [`ReadableStream::into_stream`] (a Rust stream reading a JS one,
//! cancelling it when dropped early), [`ReadableStream::from_raw`] and
//! [`ReadableStream::into_raw`]. The JS side gets plain callbacks instead of exported
//! classes, so a program that never calls these keeps nothing of them.
//!
//! Should `server_fn` ever use more of the API, its build fails here, and the fix is to
//! add that part (or to drop the patch and pay the bytes back).

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::future::{abortable, AbortHandle, FutureExt};
use futures_util::stream::{LocalBoxStream, Stream, StreamExt};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{
    QueuingStrategy, ReadableStreamDefaultController, ReadableStreamDefaultReader,
    ReadableStreamReadResult,
};

/// A JS `ReadableStream`, to build from or turn into a Rust [`Stream`].
#[derive(Debug)]
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

type Chunks = LocalBoxStream<'static, Result<JsValue, JsValue>>;

impl ReadableStream {
    /// Wraps a JS stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// The JS stream.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// A JS stream of the items of `stream`: each `Ok` chunk is enqueued, the first `Err`
    /// errors the JS stream, the end closes it. The Rust stream is only polled when the JS
    /// side reads (high water mark 0), and is dropped when the JS side cancels, a pending
    /// poll included.
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        // The JS stream never calls `pull` again before the last one's promise settled,
        // so a pull owns the Rust stream while it waits on it; `cancel` may come meanwhile
        // and aborts that wait.
        let chunks: Rc<RefCell<Option<Chunks>>> = Rc::new(RefCell::new(Some(stream.boxed_local())));
        let pending: Rc<RefCell<Option<AbortHandle>>> = Rc::new(RefCell::new(None));

        let pull = {
            let chunks = Rc::clone(&chunks);
            let pending = Rc::clone(&pending);
            Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
                move |controller: ReadableStreamDefaultController| {
                    let (next, handle) = abortable(pull_one(Rc::clone(&chunks), controller));
                    *pending.borrow_mut() = Some(handle);
                    // Aborted by `cancel`: nothing more to do.
                    future_to_promise(next.map(|result| result.unwrap_or(Ok(JsValue::UNDEFINED))))
                },
            )
        };
        let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
            if let Some(handle) = pending.borrow_mut().take() {
                handle.abort();
            }
            chunks.borrow_mut().take();
        });

        let source = Object::new();
        // Setting a property on a fresh object cannot fail.
        let _ = Reflect::set(&source, &JsValue::from_str("pull"), &pull.into_js_value());
        let _ = Reflect::set(
            &source,
            &JsValue::from_str("cancel"),
            &cancel.into_js_value(),
        );
        let strategy = QueuingStrategy::new();
        strategy.set_high_water_mark(0.0);
        let raw =
            web_sys::ReadableStream::new_with_underlying_source_and_strategy(&source, &strategy)
                .expect_throw("cannot construct a ReadableStream");
        Self { raw }
    }

    /// A Rust stream of the chunks of the JS stream: `Ok` per chunk, then the end, or an
    /// `Err` (after which the stream ends) when the JS stream errors. It holds the JS
    /// stream's reader; dropping it before the end cancels the JS stream.
    ///
    /// Throws when the JS stream is already locked to a reader.
    pub fn into_stream(self) -> IntoStream {
        IntoStream {
            reader: Some(self.raw.get_reader().unchecked_into()),
            read: None,
        }
    }
}

/// One pull of the JS stream: the next item of the Rust stream, enqueued or ending it.
async fn pull_one(
    chunks: Rc<RefCell<Option<Chunks>>>,
    controller: ReadableStreamDefaultController,
) -> Result<JsValue, JsValue> {
    // Taken out for the wait, so that no borrow is held across it.
    let Some(mut stream) = chunks.borrow_mut().take() else {
        return Ok(JsValue::UNDEFINED);
    };
    match stream.next().await {
        Some(Ok(chunk)) => {
            *chunks.borrow_mut() = Some(stream);
            controller.enqueue_with_chunk(&chunk)?;
        }
        // A rejected pull errors the JS stream with this reason.
        Some(Err(error)) => return Err(error),
        None => controller.close()?,
    }
    Ok(JsValue::UNDEFINED)
}

/// The [`Stream`] of [`ReadableStream::into_stream`].
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct IntoStream {
    /// `None` once the JS stream ended or errored.
    reader: Option<ReadableStreamDefaultReader>,
    read: Option<JsFuture>,
}

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(reader) = &this.reader else {
            return Poll::Ready(None);
        };
        let read = this
            .read
            .get_or_insert_with(|| JsFuture::from(reader.read()));
        let Poll::Ready(result) = read.poll_unpin(cx) else {
            return Poll::Pending;
        };
        this.read = None;
        Poll::Ready(match result {
            Ok(result) => {
                let result: ReadableStreamReadResult = result.unchecked_into();
                if result.get_done().unwrap_or_default() {
                    this.reader = None;
                    None
                } else {
                    Some(Ok(result.get_value()))
                }
            }
            Err(error) => {
                this.reader = None;
                Some(Err(error))
            }
        })
    }
}

impl Drop for IntoStream {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            // Nobody waits for the cancellation; a rejection of it is of no interest.
            let ignore = Closure::once(|_: JsValue| {});
            let _ = reader.cancel().catch(&ignore);
            ignore.forget();
        }
    }
}
