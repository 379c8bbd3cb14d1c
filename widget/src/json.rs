//! Just enough JSON for the frame's wire shapes, without serde.
//!
//! `serde_json` with derived `Deserialize` impls compiles into a large generic
//! parser per type (and, for tagged enums, a buffering tree); in the frame that cost
//! several KB of the 100 KB brotli budget. Here one small parser builds a [`Value`]
//! and [`crate::wire`] reads the protocol types out of it by hand; [`Writer`] writes
//! the few objects the frame sends. Native tests in [`crate::wire`] check both
//! against `serde_json` and the protocol's derives.

/// A parsed JSON value. Numbers keep their text: the frame only reads unsigned
/// integers, and [`Value::as_u64`] reads those exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in document order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object (the first, should it repeat).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Self::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative integer that fits a `u64` (no fraction, no exponent).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The string member `key`.
    pub fn str(&self, key: &str) -> Option<String> {
        self.get(key)?.as_str().map(str::to_owned)
    }

    /// An optional string member: absent or `null` is `Some(None)`, a string is
    /// `Some(Some(..))`, anything else `None` (malformed).
    pub fn opt_str(&self, key: &str) -> Option<Option<String>> {
        match self.get(key) {
            None | Some(Self::Null) => Some(None),
            Some(value) => value.as_str().map(|s| Some(s.to_owned())),
        }
    }

    /// The unsigned integer member `key`.
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.get(key)?.as_u64()
    }

    /// The items of the array member `key`.
    pub fn array(&self, key: &str) -> Option<&[Value]> {
        match self.get(key)? {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// Deepest nesting the parser follows; the frame's shapes are three levels deep.
const MAX_DEPTH: u32 = 32;

/// Parses one JSON document (surrounding whitespace allowed); `None` if it is not
/// valid JSON or nests deeper than the frame ever needs.
pub fn parse(text: &str) -> Option<Value> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.space();
    (parser.at == parser.bytes.len()).then_some(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn word(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.space();
        match self.peek()? {
            b'n' => self.word(b"null", Value::Null),
            b't' => self.word(b"true", Value::Bool(true)),
            b'f' => self.word(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Array(items))
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Value::Object(members))
            }
            _ => self.number(),
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digit()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digit()?;
        }
        Some(Value::Number(self.text.get(start..self.at)?.to_owned()))
    }

    /// At least one digit.
    fn digit(&mut self) -> Option<()> {
        self.next().filter(u8::is_ascii_digit)?;
        self.digits();
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.next()? != b'"' {
            return None;
        }
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control character.
            let start = self.at;
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.at += 1;
            }
            // The run ends at an ASCII byte, so it is a whole UTF-8 slice.
            out.push_str(self.text.get(start..self.at)?);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    out.push(c);
                }
                // A raw control character.
                _ => return None,
            }
        }
    }

    /// The code point after `\u`: one escape, or a surrogate pair of two.
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                if self.next()? != b'\\' || self.next()? != b'u' {
                    return None;
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return None;
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return None,
            _ => high,
        };
        char::from_u32(code)
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            code = code * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(code)
    }
}

/// Writes one JSON object, member by member.
pub struct Writer {
    out: String,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Self {
            out: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        quote(&mut self.out, key);
        self.out.push(':');
    }

    /// A string member.
    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        quote(&mut self.out, value);
        self
    }

    /// A string member, left out when `None`.
    pub fn opt_str(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.str(key, value),
            None => self,
        }
    }

    /// An unsigned integer member.
    pub fn u64(mut self, key: &str, value: u64) -> Self {
        self.key(key);
        self.out.push_str(&value.to_string());
        self
    }

    /// An array of strings.
    pub fn strs(mut self, key: &str, values: &[String]) -> Self {
        self.key(key);
        self.out.push('[');
        for (at, value) in values.iter().enumerate() {
            if at > 0 {
                self.out.push(',');
            }
            quote(&mut self.out, value);
        }
        self.out.push(']');
        self
    }

    /// A member whose value is an object written by another [`Writer`].
    pub fn object(mut self, key: &str, value: Writer) -> Self {
        self.key(key);
        self.out.push_str(&value.finish());
        self
    }

    /// The finished object.
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `text` as a JSON string.
fn quote(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(c as u8 >> 4)]));
                out.push(char::from(HEX[usize::from(c as u8 & 15)]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Our value as `serde_json` would see it, to compare the two parsers.
    fn to_serde(value: &Value) -> serde_json::Value {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str(n).expect("number"),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => items.iter().map(to_serde).collect(),
            Value::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), to_serde(v)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn parses_like_serde_json() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-12",
            "3.25e-2",
            "1E+3",
            "18446744073709551615",
            r#""""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u20AC\ud83d\ude00 é€😀""#,
            "[]",
            "[1, [2, {}], \"x\"]",
            r#"{"type":"message","seq":3,"text":"<b>hi</b>","n":null,"o":{"a":[true]}}"#,
            "\n{ \"a\" : 1 , \"b\" : [ ] }\n",
        ] {
            let ours = parse(text).unwrap_or_else(|| panic!("ours refused {text}"));
            let serdes: serde_json::Value = serde_json::from_str(text).expect("serde");
            assert_eq!(to_serde(&ours), serdes, "{text}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            " ",
            "nul",
            "truex",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "\"abc",
            "\"a\u{1}b\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\":1} x",
            "[",
            "{",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep), None);
        let fine = format!("{}{}", "[".repeat(10), "]".repeat(10));
        assert!(parse(&fine).is_some());
    }

    #[test]
    fn integers_are_read_exactly_and_only_when_unsigned() {
        let value =
            parse(r#"{"a":18446744073709551615,"b":-1,"c":1.5,"d":"7","e":2e3}"#).expect("parse");
        assert_eq!(value.u64("a"), Some(u64::MAX));
        for key in ["b", "c", "d", "e", "missing"] {
            assert_eq!(value.u64(key), None, "{key}");
        }
    }

    #[test]
    fn arrays_are_read_by_key() {
        let value = parse(r#"{"a":[1,"x"],"b":{}}"#).expect("parse");
        assert_eq!(value.array("a").map(<[Value]>::len), Some(2));
        assert_eq!(value.array("b"), None);
        assert_eq!(value.array("missing"), None);
    }

    #[test]
    fn optional_strings_tell_absent_and_null_from_wrong() {
        let value = parse(r#"{"a":"x","b":null,"c":1}"#).expect("parse");
        assert_eq!(value.opt_str("a"), Some(Some("x".into())));
        assert_eq!(value.opt_str("b"), Some(None));
        assert_eq!(value.opt_str("missing"), Some(None));
        assert_eq!(value.opt_str("c"), None);
        assert_eq!(value.str("b"), None);
    }

    #[test]
    fn writes_what_serde_json_reads_back() {
        let awkward = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} é 😀 </script>";
        let text = Writer::new()
            .str("text", awkward)
            .opt_str("gone", None)
            .opt_str("here", Some("yes"))
            .u64("seq", u64::MAX)
            .object("inner", Writer::new().str("a", "b"))
            .object("empty", Writer::new())
            .strs("none", &[])
            .strs("list", &["a\"".into(), "b".into()])
            .finish();
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!({"text": awkward, "here": "yes", "seq": u64::MAX,
                               "inner": {"a": "b"}, "empty": {},
                               "none": [], "list": ["a\"", "b"]})
        );
        assert_eq!(parse(&text).map(|v| to_serde(&v)), Some(value));
    }
}
