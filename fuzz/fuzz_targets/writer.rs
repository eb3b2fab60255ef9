//! The `unsafe` writer behind `html!` (`runtime/src/writer.rs`) appends exactly what the same
//! operations on a plain `String` append, whatever the mix of writes, lends (that truncate,
//! grow or shrink the string) and starting capacity; and a template rendered through it equals
//! the same text pushed by hand.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nitro::__private::Writer;

fuzz_target!(|input: (u8, Vec<(u8, String, u64)>)| {
    let (cap, ops) = input;
    let mut got = String::with_capacity(cap as usize);
    let mut want = String::with_capacity(cap as usize);
    {
        let mut w = Writer::new(&mut got);
        for (kind, s, n) in &ops {
            match kind % 12 {
                0 => {
                    w.push_str(s);
                    want.push_str(s);
                }
                1 => {
                    w.push_u64(*n);
                    want.push_str(&n.to_string());
                }
                2 => {
                    let b = *n as u8;
                    w.push_ascii(b);
                    want.push(if b.is_ascii() { b as char } else { '\u{fffd}' });
                }
                3 => {
                    let lend = |st: &mut String| {
                        let mut cut = st.len().saturating_sub(*n as usize % 64);
                        while !st.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        st.truncate(cut);
                        st.push_str(s);
                        if n % 3 == 0 {
                            st.shrink_to_fit();
                        }
                    };
                    w.with_string(lend);
                    lend(&mut want);
                }
                5 => w.reserve(*n as usize % 128),
                6 => {
                    w.push_reserved(s);
                    want.push_str(s);
                }
                7 => {
                    let on = n % 2 == 0;
                    w.push_reserved_if(on, s);
                    if on {
                        want.push_str(s);
                    }
                }
                8 => {
                    let max = (*n >> 56) as usize % 24;
                    if n % 2 == 0 {
                        w.push_u64_reserved(*n, max);
                        want.push_str(&n.to_string());
                    } else {
                        let v = *n as i64 >> (n % 60);
                        w.push_i64_reserved(v, max);
                        want.push_str(&v.to_string());
                    }
                }
                9 => {
                    w.unreserved(|w| w.push_str(s));
                    want.push_str(s);
                }
                // A spliced template's writes, through a local copy of the writer's state.
                10 => {
                    w.in_local(|w| {
                        w.reserve(*n as usize % 64);
                        w.push_reserved(s);
                        w.push_u64(*n);
                    });
                    want.push_str(s);
                    want.push_str(&n.to_string());
                }
                _ => assert_eq!(w.as_str(), want),
            }
        }
    }
    assert_eq!(got, want);

    // Through `html!`: text values escaped, numbers as digits, in a loop.
    use nitro::prelude::*;
    let t = html! { ul { @for (k, s, n) in &ops { li title=(s) { (s) ": " (n) " " (k) } } } };
    let mut by_hand = String::from("<ul>");
    for (k, s, n) in &ops {
        by_hand.push_str("<li title=\"");
        nitro::escape::attribute(s, &mut by_hand);
        by_hand.push_str("\">");
        nitro::escape::text(s, &mut by_hand);
        by_hand.push_str(": ");
        by_hand.push_str(&n.to_string());
        by_hand.push(' ');
        by_hand.push_str(&k.to_string());
        by_hand.push_str("</li>");
    }
    by_hand.push_str("</ul>");
    assert_eq!(t.render().into_string(), by_hand);
});
