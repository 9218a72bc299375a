//! Unpacks the committed snapshot indexes (gzip) into OUT_DIR so that `embedded.rs`
//! can include them in the binary uncompressed: nothing is decompressed at start-up.
//! The checksum of each is verified here, so a damaged download fails the build.

use std::io::Read;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let dir = manifest.join("../../data/snapshots");
    for eco in ["pypi", "npm"] {
        let src = dir.join(format!("{eco}.dpi.gz"));
        println!("cargo:rerun-if-changed={}", src.display());
        let dest = out.join(format!("{eco}.dpi"));
        let Ok(file) = std::fs::File::open(&src) else {
            // Only while bootstrapping (scripts/refresh-snapshots.sh): the binary then
            // reports that it has no embedded snapshot instead of failing to build.
            println!(
                "cargo:warning={} is missing: this build embeds no {eco} snapshot",
                src.display()
            );
            std::fs::write(&dest, b"").expect("write to OUT_DIR");
            continue;
        };
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .unwrap_or_else(|e| panic!("{}: cannot decompress: {e}", src.display()));
        // Header: the checksum at 16..24 covers every other byte (see src/index/format.rs).
        assert!(
            bytes.len() > 24 && &bytes[..8] == b"DPROOFIX",
            "{}: not an index",
            src.display()
        );
        let stored = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&bytes[..16]);
        h.update(&bytes[24..]);
        let actual = h.digest();
        assert_eq!(
            stored,
            actual,
            "{}: checksum mismatch, the file is damaged",
            src.display()
        );
        std::fs::write(&dest, &bytes).unwrap_or_else(|e| panic!("cannot write to OUT_DIR: {e}"));
    }
}
