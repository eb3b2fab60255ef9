//! A render makes no heap allocation beyond its output buffer: with a counting global
//! allocator, `render()` allocates once and rendering into a buffer that already has room
//! allocates nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

use nitro::prelude::*;

/// Allocations of a render: `render()` once more after a first one (which taught the call site
/// its size) must allocate exactly its output buffer; rendering into a buffer that already has
/// the room `render()` reserves (the size plus 64 bytes of slack for the last reserved run of
/// writes, see `nitro_runtime::render::RUN_SLACK`) must allocate nothing.
fn allocations(t: &impl Render) -> usize {
    let needed = t.render().as_str().len();
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let out = t.render();
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(out.as_str().len(), needed);
    assert_eq!(
        after - before,
        1,
        "render() allocates its output buffer, once"
    );

    let mut buf = String::with_capacity(needed + 64);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    t.render_to(&mut buf);
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(buf.len(), needed);
    after - before
}

fn card<'a>(title: &'a str, n: i64) -> impl Render + 'a {
    html! { div.card { h2 { (title) } p { (n) } } }
}

ids! { ROW = "row" }

#[derive(serde::Serialize)]
struct Sig {
    count: i64,
    label: &'static str,
}

#[test]
fn rendering_allocates_nothing_but_the_output() {
    let table = nitro_benches::big_table(100);
    let big = html! { table { @for row in &table { tr { @for col in row { td { (col) } } } } } };
    let (year, teams) = nitro_benches::teams();
    let teams = html! {
        ul { @for (i, t) in teams.iter().enumerate() { li.champion[i == 0] { b { (t.name) } ": " (t.score) } } }
    };
    let user = "<script>alert('x')</script> & \"quotes\"";
    let mixed = html! {
        @signals("count");
        div #(ROW) title=(user) data-signals=(Sig { count: 3, label: "it's" }) data-text="$count" {
            (user) (card("T&C", 42)) (display(std::net::Ipv4Addr::LOCALHOST)) (1.5f64) (year)
            a href=(user) { "link" }
        }
    };
    // The counter counts: rendering into an empty buffer has to grow it.
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let _ = big.render();
    assert!(
        ALLOCATIONS.load(Ordering::SeqCst) > before,
        "the counting allocator saw nothing"
    );

    assert_eq!(allocations(&big), 0, "big-table");
    assert_eq!(allocations(&teams), 0, "teams");
    assert_eq!(
        allocations(&mixed),
        0,
        "escaping, components, JSON attribute, Display"
    );
}
