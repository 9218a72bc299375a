//! Unpacks the committed snapshot indexes (gzip) into OUT_DIR so that `embedded.rs`
//! can include them in the binary uncompressed: nothing is decompressed at start-up.
//! The checksum of each is verified here, so a damaged download fails the build.
//! It also derives the popular names spelt backwards (`src/index/reversed.rs`), which
//! "did you mean" searches, so that no embedded snapshot derives them at run time.

use std::io::Read;
use std::path::PathBuf;

#[path = "src/index/reversed.rs"]
mod reversed;

/// Where the section table starts, and the popular names' entry in it (src/index/format.rs).
const SECTION_TABLE: usize = 64;
const POPULAR_SECTION: usize = 1;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let dir = manifest.join("../../data/snapshots");
    for eco in ["pypi", "npm"] {
        let src = dir.join(format!("{eco}.dpi.gz"));
        println!("cargo:rerun-if-changed={}", src.display());
        let dest = out.join(format!("{eco}.dpi"));
        let dest_reversed = out.join(format!("{eco}.popular-reversed.fst"));
        let Ok(file) = std::fs::File::open(&src) else {
            // Only while bootstrapping (scripts/refresh-snapshots.sh): the binary then
            // reports that it has no embedded snapshot instead of failing to build.
            println!(
                "cargo:warning={} is missing: this build embeds no {eco} snapshot",
                src.display()
            );
            std::fs::write(&dest, b"").expect("write to OUT_DIR");
            std::fs::write(&dest_reversed, b"").expect("write to OUT_DIR");
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
        let u64_at = |at: usize| {
            let field = bytes.get(at..at + 8).expect("a section table entry");
            usize::try_from(u64::from_le_bytes(field.try_into().expect("8 bytes")))
                .expect("a section offset within memory")
        };
        let entry = SECTION_TABLE + 16 * POPULAR_SECTION;
        let (off, len) = (u64_at(entry), u64_at(entry + 8));
        let popular = bytes.get(off..off.saturating_add(len)).unwrap_or_else(|| {
            panic!(
                "{}: the popular names section is out of bounds",
                src.display()
            )
        });
        let popular = fst::Map::new(popular).unwrap_or_else(|e| {
            panic!(
                "{}: the popular names section is damaged: {e}",
                src.display()
            )
        });
        let backwards = reversed::reversed_map(&popular)
            .unwrap_or_else(|e| panic!("{}: cannot reverse the popular names: {e}", src.display()));
        std::fs::write(&dest_reversed, &backwards)
            .unwrap_or_else(|e| panic!("cannot write to OUT_DIR: {e}"));
        std::fs::write(&dest, &bytes).unwrap_or_else(|e| panic!("cannot write to OUT_DIR: {e}"));
    }
}
