//! JSON text to and from the protocol's types. The browser parses and writes the text
//! (`JSON.parse`, `JSON.stringify`) and serde-wasm-bindgen maps it to and from the
//! `canal_protocol` types' serde derives, so no JSON parser is compiled into an app.
//! Nothing from the network is trusted to be well formed.

use serde::{de::DeserializeOwned, Serialize};

/// Reads JSON text into a protocol type: the browser parses it, the protocol's
/// derives read the result. `None` when either refuses it.
///
/// Integers arrive as JavaScript numbers: a `u64` or `u32` field reads any whole
/// number up to 2^53 - 1 exactly, as serde_json does; a larger one (which the
/// browser could not hold exactly) is refused, never misread.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Writes a protocol type as JSON text, byte for byte as serde_json (so the server's
/// side) writes it: objects for structs, numbers for integers, `null` for `None`
/// (and absent where the protocol skips it), fields in declaration order. `None`
/// for an integer above 2^53 - 1, which a JavaScript number cannot hold.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}
