//! Brotli and gzip copies of the built front ends, written once after each Trunk build
//! (`file.br`, `file.gz` next to `file`), which the server sends to browsers that
//! accept them (server/src/assets.rs) instead of compressing on every request.

use crate::util::{fail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Brotli settings: the strongest quality with a 4 MiB window.
pub const BROTLI_QUALITY: i32 = 11;
pub const BROTLI_WINDOW: i32 = 22;

/// File kinds worth compressing (images and fonts are compressed already).
const TEXT_LIKE: &[&str] = &["html", "js", "css", "wasm", "json", "svg", "txt", "map"];

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut input = data;
    // Writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// Writes `.br` and `.gz` beside every text-like file under `dir` (not under `skip`),
/// each only when smaller than the file. Returns how many files were compressed.
pub fn dir(dir: &Path, skip: Option<&Path>) -> Result<usize> {
    let mut files = Vec::new();
    list(dir, skip, &mut files).map_err(|e| {
        fail(
            format!("cannot list {}: {e}", dir.display()),
            "rebuild: cargo xtask build-widget",
        )
    })?;
    for path in &files {
        let data = std::fs::read(path).map_err(|e| {
            fail(
                format!("cannot read {}: {e}", path.display()),
                "rebuild: cargo xtask build-widget",
            )
        })?;
        for (suffix, packed) in [("br", brotli(&data)), ("gz", gzip(&data))] {
            let mut name = path.as_os_str().to_owned();
            name.push(".");
            name.push(suffix);
            let target = PathBuf::from(name);
            if packed.len() < data.len() {
                std::fs::write(&target, packed)
            } else {
                // A stale copy of an earlier build must not be served.
                std::fs::remove_file(&target).or(Ok(()))
            }
            .map_err(|e| {
                fail(
                    format!("cannot write {}: {e}", target.display()),
                    "check that dist/ is writable",
                )
            })?;
        }
    }
    Ok(files.len())
}

/// The text-like files under `dir`, except hidden ones (Trunk's `.stage/`) and `skip`.
fn list(dir: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden || Some(path.as_path()) == skip {
            continue;
        }
        if path.is_dir() {
            list(&path, skip, out)?;
        } else if path
            .extension()
            .is_some_and(|e| TEXT_LIKE.iter().any(|t| e == *t))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::dir as compress_dir;
    use std::io::Read;

    #[test]
    fn writes_copies_that_decompress_to_the_file() {
        let dir = std::env::temp_dir().join(format!("canal-compress-{}", std::process::id()));
        let skipped = dir.join("console");
        std::fs::create_dir_all(&skipped).expect("mkdir");
        let text = "fn canal() {} ".repeat(200);
        std::fs::write(dir.join("app.js"), &text).expect("write");
        std::fs::write(dir.join("logo.png"), &text).expect("write");
        std::fs::write(skipped.join("other.js"), &text).expect("write");
        assert_eq!(compress_dir(&dir, Some(&skipped)).expect("compress"), 1);

        let mut out = Vec::new();
        let br = std::fs::read(dir.join("app.js.br")).expect("br");
        brotli::BrotliDecompress(&mut br.as_slice(), &mut out).expect("brotli");
        assert_eq!(out, text.as_bytes());
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("app.js.gz")).expect("gz"))
            .read_to_string(&mut unzipped)
            .expect("gzip");
        assert_eq!(unzipped, text);
        assert!(!dir.join("logo.png.br").exists());
        assert!(!skipped.join("other.js.br").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
