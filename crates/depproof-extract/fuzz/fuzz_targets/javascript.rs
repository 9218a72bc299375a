//! Fuzzes the JavaScript/TypeScript finder, the component finder and the specifier
//! classifier: none may panic, hang or report a span outside its input.
#![no_main]

use depproof_extract::javascript::{JsDialect, find, package_of_specifier};
use depproof_extract::sfc::{ComponentKind, find_in_component};
use depproof_extract::{Code, Output};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let code = Code::file("fuzz.js".into(), &text);
    let mut out = Output::default();
    match selector % 8 {
        0 => find(&code, JsDialect::Js, &mut out),
        1 => find(&code, JsDialect::Jsx, &mut out),
        2 => find(&code, JsDialect::Ts, &mut out),
        3 => find(&code, JsDialect::Tsx, &mut out),
        4 => find(&code, JsDialect::Dts, &mut out),
        5 => find_in_component(&code, ComponentKind::Vue, &mut out),
        6 => find_in_component(&code, ComponentKind::Svelte, &mut out),
        _ => find_in_component(&code, ComponentKind::Astro, &mut out),
    }
    for found in &out.found {
        let (s, e) = (found.location.start as usize, found.location.end as usize);
        assert!(
            s <= e && text.get(s..e).is_some(),
            "span {s}..{e} outside the input"
        );
    }
    let _ = package_of_specifier(&text);
});
