//! `cargo xtask shorten-imports [DIR]`: the Trunk post-build hook of the widget frame and
//! of the console (see Trunk.toml and console/Trunk.toml). It renames the imports of the
//! build's wasm to one or two letters, in the wasm and in its JS glue alike.
//!
//! wasm-bindgen names every import it generates `__wbg_<name>_<16 hex digits>` (and
//! `__wbindgen_<name>_<hash>`), under the module `./<name>_bg.js`. Each name is written
//! twice, in the wasm's import section and as a key of the glue's import object, and
//! random hex does not compress: the frame's ~130 imports cost ~3.4 KB of its brotli
//! budget, the console's ~150 about as much. The names mean nothing at run time (the glue hands its import object to
//! `WebAssembly.instantiate`, which looks every import up by module and name), so
//! consistent short names behave the same.
//!
//! Every name must be found exactly once as an object key in the glue, and none may be
//! left anywhere in it afterwards; otherwise nothing is written and the build fails.

use crate::util::{fail, Result};
use std::path::{Path, PathBuf};

/// What [`shorten_dir`] did.
#[derive(Debug)]
pub struct Shortened {
    pub wasm: PathBuf,
    pub js: PathBuf,
    pub imports: usize,
    pub saved_bytes: usize,
}

/// Shortens the imports of the one `*_bg.wasm` in `dir` and of its glue `*.js` next to it
/// (Trunk's names: `<name>-<hash>_bg.wasm` and `<name>-<hash>.js`), in place.
pub fn shorten_dir(dir: &Path) -> Result<Shortened> {
    let hint = "run it on a Trunk build of the frame or the console (the post-build hooks \
                in Trunk.toml and console/Trunk.toml pass TRUNK_STAGING_DIR)";
    let entries = std::fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot list {}: {e}", dir.display()), hint))?;
    let mut wasms = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| fail(format!("cannot list {}: {e}", dir.display()), hint))?
            .path();
        if path.to_string_lossy().ends_with("_bg.wasm") {
            wasms.push(path);
        }
    }
    let wasm_path = match wasms.as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(fail(
                format!(
                    "expected one *_bg.wasm in {}, found {}",
                    dir.display(),
                    wasms.len()
                ),
                hint,
            ))
        }
    };
    let stem = wasm_path.to_string_lossy();
    let js_path = PathBuf::from(format!("{}.js", &stem[..stem.len() - "_bg.wasm".len()]));
    let read_hint = "the build wrote it a moment ago; rebuild: cargo xtask build-widget \
                     (then cargo xtask build-console)";
    let wasm = std::fs::read(&wasm_path).map_err(|e| {
        fail(
            format!("cannot read {}: {e}", wasm_path.display()),
            read_hint,
        )
    })?;
    let js = std::fs::read_to_string(&js_path)
        .map_err(|e| fail(format!("cannot read {}: {e}", js_path.display()), read_hint))?;
    let (new_wasm, new_js, imports) = shorten(&wasm, &js).map_err(|e| {
        fail(
            format!("cannot shorten the imports of {}: {e}", wasm_path.display()),
            "the wasm-bindgen glue no longer has the shape this step expects (one \
             `name:` key per import); fix xtask/src/imports.rs or remove the hook from \
             Trunk.toml (or console/Trunk.toml)",
        )
    })?;
    let saved_bytes = (wasm.len() + js.len()) - (new_wasm.len() + new_js.len());
    for (path, data) in [
        (&wasm_path, new_wasm.as_slice()),
        (&js_path, new_js.as_bytes()),
    ] {
        std::fs::write(path, data)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display()), read_hint))?;
    }
    Ok(Shortened {
        wasm: wasm_path,
        js: js_path,
        imports,
        saved_bytes,
    })
}

/// The wasm and its glue with every import renamed: the modules to `a`, `b`, .., the names
/// to `a`, `b`, .. `Z`, `ab`, ..; and how many names there were.
pub fn shorten(wasm: &[u8], js: &str) -> std::result::Result<(Vec<u8>, String, usize), String> {
    let mut reader = Reader { bytes: wasm, at: 0 };
    let header = reader.take(8)?;
    if header != b"\0asm\x01\0\0\0" {
        return Err("not a WebAssembly 1 module".into());
    }
    let mut out = header.to_vec();
    let mut js = js.to_string();
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut modules: Vec<(String, String)> = Vec::new();
    let mut found_imports = false;
    while reader.at < wasm.len() {
        let id = reader.byte()?;
        let size = reader.leb()?;
        let body = reader.take(size)?;
        if id != IMPORT_SECTION {
            out.push(id);
            write_leb(&mut out, size as u64);
            out.extend_from_slice(body);
            continue;
        }
        found_imports = true;
        let mut section = Reader { bytes: body, at: 0 };
        let count = section.leb()?;
        let mut new_body = Vec::new();
        write_leb(&mut new_body, count as u64);
        for _ in 0..count {
            let module = section.name()?;
            let name = section.name()?;
            let start = section.at;
            section.import_kind()?;
            let kind = &body[start..section.at];
            let short_module = match modules.iter().find(|(old, _)| *old == module) {
                Some((_, short)) => short.clone(),
                None => {
                    let short = short_name(modules.len());
                    modules.push((module, short.clone()));
                    short
                }
            };
            let short = match renamed.iter().find(|(old, _)| *old == name) {
                Some((_, short)) => short.clone(),
                None => {
                    let short = short_name(renamed.len());
                    renamed.push((name, short.clone()));
                    short
                }
            };
            write_name(&mut new_body, &short_module);
            write_name(&mut new_body, &short);
            new_body.extend_from_slice(kind);
        }
        if section.at != body.len() {
            return Err("the import section has bytes after its last import".into());
        }
        out.push(id);
        write_leb(&mut out, new_body.len() as u64);
        out.extend_from_slice(&new_body);
    }
    if !found_imports {
        return Err("the module has no import section".into());
    }
    // The glue's import object: `{ __proto__: null, "./x_bg.js": import0 }`.
    for (old, short) in &modules {
        js = replace_key(&js, &format!("\"{old}\""), &format!("\"{short}\""))?;
    }
    for (old, short) in &renamed {
        js = replace_key(&js, old, short)?;
    }
    Ok((out, js, renamed.len()))
}

const IMPORT_SECTION: u8 = 2;

/// `a`..`z`, `A`..`Z`, then two letters and more: names for the `index`th import.
fn short_name(mut index: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = String::new();
    loop {
        name.push(char::from(LETTERS[index % 52]));
        index /= 52;
        if index == 0 {
            return name;
        }
    }
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$'
}

/// `js` with its one object key `key` (followed by `:`, spaces allowed) named `new`.
/// Fails when the key is not there exactly once, or when `key` is also used elsewhere
/// (a reference the rename would break).
fn replace_key(js: &str, key: &str, new: &str) -> std::result::Result<String, String> {
    let bytes = js.as_bytes();
    let mut keys = Vec::new();
    let mut others = 0;
    for (at, _) in js.match_indices(key) {
        let end = at + key.len();
        let bounded = key.starts_with('"')
            || ((at == 0 || !is_ident_byte(bytes[at - 1]))
                && bytes.get(end).is_none_or(|b| !is_ident_byte(*b)));
        if !bounded {
            continue;
        }
        if js[end..].trim_start().starts_with(':') {
            keys.push(at);
        } else {
            others += 1;
        }
    }
    match (keys.as_slice(), others) {
        ([at], 0) => Ok(format!("{}{new}{}", &js[..*at], &js[at + key.len()..])),
        ([_], n) => Err(format!(
            "the glue uses {key} {n} time(s) besides its import object"
        )),
        (keys, _) => Err(format!(
            "the glue has {} keys {key}, expected one",
            keys.len()
        )),
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("truncated module")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> std::result::Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned LEB128 number (up to 64 bits).
    fn leb(&mut self) -> std::result::Result<usize, String> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return usize::try_from(value).map_err(|_| "number too large".to_string());
            }
        }
        Err("malformed LEB128 number".into())
    }

    fn name(&mut self) -> std::result::Result<String, String> {
        let len = self.leb()?;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| "a name is not UTF-8".into())
    }

    /// Skips an import's description: function, table, memory or global.
    fn import_kind(&mut self) -> std::result::Result<(), String> {
        match self.byte()? {
            0 => {
                self.leb()?;
            }
            1 => {
                self.byte()?;
                self.limits()?;
            }
            2 => self.limits()?,
            3 => {
                self.byte()?;
                self.byte()?;
            }
            kind => return Err(format!("unknown import kind {kind}")),
        }
        Ok(())
    }

    fn limits(&mut self) -> std::result::Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with a type section, the imports (module, name, kind bytes) and a custom
    /// section after them.
    fn module(imports: &[(&str, &str, &[u8])]) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        // Type section: one type, () -> ().
        out.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        let mut body = Vec::new();
        write_leb(&mut body, imports.len() as u64);
        for (module, name, kind) in imports {
            write_name(&mut body, module);
            write_name(&mut body, name);
            body.extend_from_slice(kind);
        }
        out.push(IMPORT_SECTION);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
        out.extend_from_slice(&[0, 4, 3, b'a', b'b', b'c']);
        out
    }

    fn imports_of(wasm: &[u8]) -> Vec<(String, String)> {
        let mut reader = Reader { bytes: wasm, at: 8 };
        while reader.at < wasm.len() {
            let id = reader.byte().expect("id");
            let size = reader.leb().expect("size");
            let body = reader.take(size).expect("body");
            if id == IMPORT_SECTION {
                let mut section = Reader { bytes: body, at: 0 };
                let count = section.leb().expect("count");
                return (0..count)
                    .map(|_| {
                        let pair = (
                            section.name().expect("module"),
                            section.name().expect("name"),
                        );
                        section.import_kind().expect("kind");
                        pair
                    })
                    .collect();
            }
        }
        Vec::new()
    }

    const FUNC: &[u8] = &[0, 0];

    #[test]
    fn renames_imports_in_the_wasm_and_the_glue_alike() {
        let wasm = module(&[
            ("./w_bg.js", "__wbg_body_5f971cbc6950ca4f", FUNC),
            ("./w_bg.js", "__wbindgen_object_drop_ref", FUNC),
            // A memory import: its limits are copied as they are.
            (
                "./w_bg.js",
                "__wbg_memory_0123456789abcdef",
                &[2, 1, 17, 0x80, 0x01],
            ),
        ]);
        // Unminified (as in a debug build) and minified glue.
        for js in [
            "const import0 = {\n __proto__: null,\n __wbg_body_5f971cbc6950ca4f: function(a) \
             { return body(a); },\n __wbindgen_object_drop_ref : function(a) { drop(a); },\n \
             __wbg_memory_0123456789abcdef: function() {},\n};\nreturn { __proto__: null, \
             \"./w_bg.js\": import0 };",
            "a={__proto__:null,__wbg_body_5f971cbc6950ca4f:(a=>b(a)),\
             __wbindgen_object_drop_ref:(a=>{d(a)}),__wbg_memory_0123456789abcdef:()=>{}};\
             return {__proto__:null,\"./w_bg.js\":a}",
        ] {
            let (new_wasm, new_js, count) = shorten(&wasm, js).expect("shortened");
            assert_eq!(count, 3);
            assert_eq!(
                imports_of(&new_wasm),
                [("a", "a"), ("a", "b"), ("a", "c")].map(|(m, n)| (m.into(), n.into()))
            );
            // The sections around the imports are untouched.
            assert_eq!(new_wasm[..14], wasm[..14]);
            assert_eq!(new_wasm[new_wasm.len() - 6..], wasm[wasm.len() - 6..]);
            assert!(new_wasm.len() < wasm.len());
            for old in [
                "__wbg_body",
                "__wbindgen_object_drop_ref",
                "__wbg_memory",
                "w_bg",
            ] {
                assert!(!new_js.contains(old), "{old} left in {new_js}");
            }
            assert!(new_js.contains("a:") || new_js.contains("a :"), "{new_js}");
            assert!(
                new_js.contains("\"a\":") || new_js.contains("\"a\": "),
                "{new_js}"
            );
            assert_eq!(
                js.len() - new_js.len(),
                "__wbg_body_5f971cbc6950ca4f".len() - 1 + "__wbindgen_object_drop_ref".len() - 1
                    + "__wbg_memory_0123456789abcdef".len()
                    - 1
                    + "./w_bg.js".len()
                    - 1
            );
        }
    }

    #[test]
    fn a_name_imported_twice_gets_one_short_name() {
        let wasm = module(&[("m", "__wbg_x_1", FUNC), ("m", "__wbg_x_1", FUNC)]);
        let (new_wasm, new_js, count) =
            shorten(&wasm, "{__wbg_x_1:f};{\"m\":i}").expect("shortened");
        assert_eq!(count, 1);
        assert_eq!(
            imports_of(&new_wasm),
            [("a", "a"), ("a", "a")].map(|(m, n)| (m.into(), n.into()))
        );
        assert_eq!(new_js, "{a:f};{\"a\":i}");
    }

    #[test]
    fn each_module_gets_its_own_short_name() {
        let wasm = module(&[("m", "__wbg_x_1", FUNC), ("n", "__wbg_y_2", FUNC)]);
        let (new_wasm, new_js, _) =
            shorten(&wasm, "{__wbg_x_1:f};{__wbg_y_2:g};{\"m\":i,\"n\":j}").expect("shortened");
        assert_eq!(
            imports_of(&new_wasm),
            [("a", "a"), ("b", "b")].map(|(m, n)| (m.into(), n.into()))
        );
        assert_eq!(new_js, "{a:f};{b:g};{\"a\":i,\"b\":j}");
    }

    #[test]
    fn refuses_glue_it_cannot_rename_safely() {
        let wasm = module(&[("m", "__wbg_x_1", FUNC)]);
        for (js, why) in [
            ("{\"m\":i}", "the key is missing"),
            (
                "{__wbg_x_1:f,__wbg_x_1:g};{\"m\":i}",
                "the key is there twice",
            ),
            (
                "{__wbg_x_1:f};g(__wbg_x_1);{\"m\":i}",
                "the name is used elsewhere",
            ),
            ("{__wbg_x_1:f}", "the module key is missing"),
        ] {
            assert!(shorten(&wasm, js).is_err(), "{why}");
        }
        // Longer names that contain it are other names, not uses of it.
        assert!(shorten(&wasm, "{__wbg_x_1:f,__wbg_x_10:g,x__wbg_x_1:h};{\"m\":i}").is_ok());
    }

    #[test]
    fn refuses_what_is_not_a_module_with_imports() {
        assert!(shorten(b"not wasm", "").is_err());
        let mut truncated = module(&[("m", "__wbg_x_1", FUNC)]);
        truncated.truncate(20);
        assert!(shorten(&truncated, "{__wbg_x_1:f};{\"m\":i}").is_err());
        assert!(shorten(b"\0asm\x01\0\0\0", "").is_err());
    }

    #[test]
    fn short_names_are_letters_and_distinct() {
        let names: Vec<String> = (0..52 * 53).map(short_name).collect();
        assert_eq!(names[0], "a");
        assert_eq!(names[51], "Z");
        assert_eq!(names[52], "ab");
        assert!(names
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_alphabetic())));
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }
}
