//! The one module of nitro that uses `unsafe`: [`Writer`], the cursor `html!`'s generated code
//! appends through, and [`is_framed`], the check of an element patch's framing (SSE2 loads of
//! 16 bytes, each inside the slice it reads: see its `SAFETY` comments).
//!
//! Appending to a `String` with `push_str` re-reads and re-writes its length and capacity in
//! memory on every call, and a variable-length copy is a call to `memcpy`. A `Writer` keeps the
//! write position and the capacity in locals (registers), checks room with one comparison, and
//! writes the length back once, when it is dropped or hands the `String` out.
//!
//! # Invariants (what the `unsafe` blocks rely on)
//!
//! While a `Writer` exists it holds the only (`&mut`) access to its `String`, and, except inside
//! [`Writer::with_string`]:
//!
//! 1. `ptr` is the start of the `String`'s allocation and `cap` its capacity, both read at the
//!    last [`Writer::load`];
//! 2. `len <= cap`, and the first `len` bytes of the allocation are initialized and valid UTF-8:
//!    the `String`'s own bytes, then whole `&str`s and ASCII digits written by this writer;
//! 3. the `String`'s own length is at most `len`; [`Writer::store`] makes it `len`;
//! 4. `left <= cap - len`: the room [`Writer::reserve`] set aside and the reserved writes have
//!    not used yet. Every other write and every lend sets it to 0.
//!
//! # Reserved runs
//!
//! `html!` writes a straight run of static text and short values (a loop body such as
//! `td { (n) }`) with one capacity check: [`Writer::reserve`] makes room for the whole run (the
//! static bytes plus each value's largest length, [`Bounded`](crate::splice::Bounded)), and
//! the writes that follow ([`Writer::push_reserved`], [`Writer::push_u64_reserved`], …) copy
//! without checking. They do not trust the macro: each compares its length (for a number, its
//! largest length) with `left` and takes the checked path when it does not fit. Those
//! comparisons are between constants once inlined (the reservation and every charge are
//! constants: a number is charged its type's largest length, whatever it writes), so an
//! optimized build keeps none of them. The macro writes runs this way when it is itself built
//! without debug assertions (Cargo builds a proc macro with the profile's `debug-assertions`,
//! so this is the optimized build); in the dev profile each write is checked on its own, which
//! is cheaper to compile. Both forms write the same bytes, and neither relies on the other.
//!
//! [`Writer::with_string`] (and every other lend) stores, lends the `String` out (any safe code
//! may then reallocate, truncate or grow it; in framed mode, see [`Framing`], `with_string`
//! lends a `String` of its own instead), and loads everything afresh afterwards, from a
//! guard's `Drop`, so also when the lender panics: a writer used again after a caught panic,
//! or written to by another guard while unwinding, starts from the `String` as the lender left
//! it (a valid `String` at every point). Forgetting a `Writer` (`mem::forget`) only leaves its
//! last bytes out of the `String`'s length.
//!
//! Miri is not installed on this machine (`rustup toolchain list`: no `miri` component), so the
//! module is tested instead by unit tests of every path (growth included), a proptest against
//! `String` and a fuzz target (`fuzz/fuzz_targets/writer.rs`) that mixes every operation.
//!
//! # Inlining
//!
//! The hot methods are `inline(always)` in optimized builds, so a template's writes become
//! straight-line code, and plain `inline` when `debug_assertions` are on (the dev profile):
//! there `inline(always)` is honoured even at `opt-level = 0`, and copying every write's body
//! into every template made LLVM most of a debug build's time (`benches/benches/compile.rs`).
#![allow(unsafe_code)]

/// Appends to a `String` without re-reading its length and capacity on every write. What
/// `html!`'s generated code writes through; values reach it through
/// [`Render::render_to_writer`](crate::Render::render_to_writer).
///
/// ```
/// use nitro_runtime::__private::Writer;
/// let mut s = String::from("a");
/// let mut w = Writer::new(&mut s);
/// w.push_str("<td>");
/// w.push_u64(42);
/// w.with_string(|s| s.push('!'));
/// w.push_str("</td>");
/// drop(w);
/// assert_eq!(s, "a<td>42!</td>");
/// ```
pub struct Writer<'a> {
    string: &'a mut String,
    ptr: *mut u8,
    len: usize,
    cap: usize,
    /// Room reserved by [`Writer::reserve`] and not yet used (invariant 4).
    left: usize,
    /// Writing an SSE `data: elements` block (see [`Framing`]): every line break becomes `\n`
    /// followed by the prefix.
    framed: bool,
    /// In framed mode, the length right after a `\r` that ended a write was framed: a `\n`
    /// written next belongs to it (`\r\n` is one line break).
    cr_at: usize,
}

/// The prefix of every line of an element patch's HTML in SSE.
pub(crate) const PREFIX: &str = "data: elements ";

/// The break every line break of the HTML becomes.
const BREAK: &str = "\ndata: elements ";

thread_local! {
    /// The `String` (address, length) whose next writer writes framed, `(0, 0)` for none, and
    /// whether a `\n` that writer writes first ends a `\r` framed before it.
    static FRAME_TARGET: std::cell::Cell<(usize, usize, bool)> = const { std::cell::Cell::new((0, 0, false)) };
    /// Where the framed writer stopped: the `String`'s address, its length and whether it ended
    /// on a framed `\r`.
    static FRAMED_END: std::cell::Cell<Option<(usize, usize, bool)>> = const { std::cell::Cell::new(None) };
    /// The `String` a framed writer lends instead of its own ([`Writer::with_string`]), kept
    /// from one lend to the next so that a thread allocates it once.
    static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Renders an element patch straight into its SSE framing: while it lives, the first writer
/// created on `string` (at its current length: an `html!` template rendered into it) writes
/// framed. [`Framing::finish`] tells how far that writer got; what follows (if anything) was
/// written without it and must still be framed.
///
/// What the framed writer writes is framed by construction: static text the macro framed,
/// numbers, entities, and every other value scanned for `\r` and `\n` as it is written. No
/// code but `html!`'s gets its `String` while it lives: [`Writer::with_string`] lends a
/// `String` of its own and appends what was written there, framed, and a template `html!`
/// built that is spliced in writes through the same writer (its closure is given the writer,
/// not the `String`: `Template`'s `render_to_writer`). So only code that ran *after* the
/// writer was dropped (a `Template::new` closure around the template, …) can have changed the
/// framed bytes; the patch path (`sse::patch_elements`) checks them again ([`is_framed`])
/// unless the template was `html!`'s alone.
///
/// This trusts the code `html!` generates, as its escaping does: the writer's unchecked
/// writes (`push_static`, `push_reserved`, `push_static_lines`' framed text) take the macro's
/// literals as having no bare line break (a debug assertion checks it in framed mode), and a
/// `Template` whose closure was not written by `html!` (`Template::new`) is never trusted.
pub(crate) struct Framing {
    string: usize,
}

/// How a framed rendering ended ([`Framing::finish`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Framed {
    /// The length of the `String` when the framed writer was dropped.
    pub(crate) len: usize,
    /// Whether a `\n` right at `len` still belongs to a framed `\r` (`\r\n` is one break).
    pub(crate) lf_after_cr: bool,
}

impl Framing {
    pub(crate) fn begin(string: &String) -> Framing {
        let me = string as *const String as usize;
        let _ = FRAME_TARGET.try_with(|t| t.set((me, string.len(), false)));
        let _ = FRAMED_END.try_with(|e| e.set(None));
        Framing { string: me }
    }

    /// How the framed writer on this `String` ended; `None` when no writer wrote framed.
    pub(crate) fn finish(self) -> Option<Framed> {
        let (string, len, lf_after_cr) = FRAMED_END.try_with(|e| e.take()).ok().flatten()?;
        (string == self.string).then_some(Framed { len, lf_after_cr })
    }
}

impl Drop for Framing {
    fn drop(&mut self) {
        let _ = FRAME_TARGET.try_with(|t| t.set((0, 0, false)));
        // A framing dropped without `finish` (a panic while rendering) leaves nothing behind
        // for an enclosing one to mistake for its own.
        let _ = FRAMED_END.try_with(|e| e.set(None));
    }
}

/// The lending `String` of a framed writer: the thread's, or a new one when it is in use (a
/// patch rendered while another renders).
#[inline]
fn take_scratch() -> String {
    SCRATCH.try_with(|s| s.take()).unwrap_or_default()
}

/// Keeps `s` for the next lend, empty, unless a large value made it large.
#[inline]
fn keep_scratch(mut s: String) {
    if s.capacity() <= 64 * 1024 {
        s.clear();
        let _ = SCRATCH.try_with(|c| c.set(s));
    }
}

impl<'a> Writer<'a> {
    /// A writer appending to `string`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn new(string: &'a mut String) -> Self {
        let len = string.len();
        let me = (&*string as *const String as usize, len);
        let (framed, lf_after_cr) = FRAME_TARGET
            .try_with(|t| {
                let (at, n, cr) = t.get();
                let hit = (at, n) == me;
                if hit {
                    t.set((0, 0, false));
                }
                (hit, hit && cr)
            })
            .unwrap_or((false, false));
        let mut w = Writer {
            string,
            ptr: std::ptr::null_mut(),
            len: 0,
            cap: 0,
            left: 0,
            framed,
            cr_at: if lf_after_cr { len } else { usize::MAX },
        };
        w.load();
        w
    }

    /// Reads the `String`'s pointer, length and capacity (invariants 1–4 then hold trivially:
    /// nothing is reserved).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn load(&mut self) {
        // SAFETY: only the pointer, length and capacity are read; the bytes are not changed.
        let v = unsafe { self.string.as_mut_vec() };
        self.ptr = v.as_mut_ptr();
        self.len = v.len();
        self.cap = v.capacity();
        self.left = 0;
    }

    /// Writes the length back to the `String`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn store(&mut self) {
        // SAFETY: invariant 2: `len <= cap` and the first `len` bytes are initialized, valid
        // UTF-8; invariant 1: `cap` is still the capacity of this allocation.
        unsafe { self.string.as_mut_vec().set_len(self.len) }
    }

    /// Makes room for `additional` more bytes (the `String` grows as `reserve` grows it).
    /// Takes the parts, not `&mut self`, so the writer itself never has its address taken and
    /// its fields can live in registers.
    #[cold]
    #[inline(never)]
    fn grow(string: &mut String, len: usize, additional: usize) -> (*mut u8, usize) {
        // SAFETY: as `store`: the first `len` bytes are initialized UTF-8 (invariant 2).
        let v = unsafe { string.as_mut_vec() };
        unsafe { v.set_len(len) };
        v.reserve(additional);
        (v.as_mut_ptr(), v.capacity())
    }

    /// Makes sure `n` bytes fit after `len`, for a checked write of `n` bytes: the reservation
    /// is dropped (invariant 4 then holds after the write whatever it was).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn room(&mut self, n: usize) {
        self.left = 0;
        self.fit(n);
    }

    /// Makes sure `n` bytes fit after `len` (`cap - len >= n`).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn fit(&mut self, n: usize) {
        if self.cap - self.len < n {
            (self.ptr, self.cap) = Self::grow(self.string, self.len, n);
        }
    }

    /// Reserves room for a run of `n` bytes: the reserved writes after it copy without a
    /// capacity check of their own while their lengths add up to at most `n` (see "Reserved
    /// runs"). Replaces what was reserved before.
    ///
    /// ```
    /// use nitro_runtime::__private::Writer;
    /// let mut s = String::new();
    /// let mut w = Writer::new(&mut s);
    /// w.reserve(4 + 20 + 5);
    /// w.push_reserved("<td>");
    /// w.push_u64_reserved(1234, 20);
    /// w.push_reserved("</td>");
    /// drop(w);
    /// assert_eq!(s, "<td>1234</td>");
    /// assert!(s.capacity() >= 29);
    /// ```
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn reserve(&mut self, n: usize) {
        self.fit(n);
        // Invariant 4: `cap - len >= n`.
        self.left = n;
    }

    /// Runs `f`, a write of unknown length (a string, a component) in the middle of a reserved
    /// run: `f` writes with checks of its own, then the room the rest of the run was promised
    /// is reserved again (one capacity check).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn unreserved<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let keep = self.left;
        let r = f(self);
        self.reserve(keep);
        r
    }

    /// Copies `s` (no line break) into room known to be there: `n <= left <= cap - len`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn copy_reserved(&mut self, s: &str) {
        debug_assert!(!self.framed || !s.contains(['\n', '\r']), "{s:?}");
        let n = s.len();
        debug_assert!(n <= self.left && self.left <= self.cap - self.len);
        // SAFETY: the caller checked `n <= left`, and `left <= cap - len` (invariant 4), so
        // `len..len + n` is inside the allocation (invariant 1); `s` cannot overlap it (it is
        // borrowed while this writer holds the only access to the `String`); a whole `&str`
        // keeps the bytes valid UTF-8 (invariant 2).
        unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), self.ptr.add(self.len), n) };
        self.len += n;
        // Invariant 4: both sides shrank by `n`.
        self.left -= n;
    }

    /// Appends `s` (no line break: `html!`'s static text) from the reservation; when it does
    /// not fit there, as [`Writer::push_static`] does.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_reserved(&mut self, s: &str) {
        if s.len() <= self.left {
            self.copy_reserved(s);
        } else {
            self.push_static(s);
        }
    }

    /// Appends `s` (no line break) when `on`, charging the reservation its length either way,
    /// so what is left after it does not depend on `on` (`li.active[cond]` in a run).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_reserved_if(&mut self, on: bool, s: &str) {
        let n = s.len();
        if n <= self.left {
            if on {
                self.copy_reserved(s);
            } else {
                // Invariant 4: `left` shrinks, `cap - len` does not.
                self.left -= n;
            }
        } else if on {
            self.push_static(s);
        }
    }

    /// Appends the decimal digits of `n`, a value of a type whose digits never exceed `max`
    /// bytes, from the reservation, charging it `max` bytes whatever `n` writes (so what is
    /// left after it is a constant). When `max` is not left, or `n` has more than `max` digits,
    /// as [`Writer::push_u64`] does.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_u64_reserved(&mut self, n: u64, max: usize) {
        if max > self.left {
            return self.push_u64(n);
        }
        let len = self.len;
        // Each branch writes `k <= max` bytes: a branch is taken only when its `max` condition
        // holds, and then every earlier one held too, so `n` is at least the earlier bounds
        // (no leading zero).
        let k = if n < 10 && max >= 1 {
            self.put(len, &[b'0' + n as u8]);
            1
        } else if n < 100 && max >= 2 {
            self.put(len, &PAIRS[n as usize]);
            2
        } else if n < 1000 && max >= 3 {
            let n = n as usize;
            self.put(len, &[b'0' + (n / 100) as u8]);
            self.put(len + 1, &PAIRS[n % 100]);
            3
        } else if n < 10_000 && max >= 4 {
            let n = n as usize;
            self.put(len, &PAIRS[n / 100]);
            self.put(len + 2, &PAIRS[n % 100]);
            4
        } else {
            let mut digits = itoa::Buffer::new();
            let digits = digits.format(n);
            if digits.len() > max {
                return self.push_u64(n);
            }
            self.put(len, digits.as_bytes());
            digits.len()
        };
        self.len = len + k;
        // Invariant 4: `len` grew by at most `max` (each branch wrote at most `max` bytes),
        // `left` shrinks by `max`.
        self.left -= max;
    }

    /// [`Writer::push_u64_reserved`] for a signed value: a `-` and the digits, `max` bytes at
    /// most together.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_i64_reserved(&mut self, n: i64, max: usize) {
        if n >= 0 {
            return self.push_u64_reserved(n as u64, max);
        }
        if max >= 2 && max <= self.left {
            self.copy_reserved("-");
            self.push_u64_reserved(n.unsigned_abs(), max - 1);
        } else {
            self.push_ascii(b'-');
            self.push_u64(n.unsigned_abs());
        }
    }

    /// Writes ASCII `bytes` at `at`, which the caller has checked is inside the reservation:
    /// `at + bytes.len() <= len + left`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn put(&mut self, at: usize, bytes: &[u8]) {
        debug_assert!(at >= self.len && at + bytes.len() <= self.len + self.left);
        debug_assert!(bytes.is_ascii());
        // SAFETY: `at + bytes.len() <= len + left <= cap` (the caller's check and invariant
        // 4), so the bytes land inside the allocation (invariant 1); they are ASCII digits,
        // which keep the bytes UTF-8 once `len` covers them (invariant 2). `bytes` is a
        // constant table or a local buffer, never the `String`.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.add(at), bytes.len()) };
    }

    /// Appends `s`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_str(&mut self, s: &str) {
        if self.framed {
            return self.push_framed(s);
        }
        self.push_static(s);
    }

    /// Appends `s`, which has no line break (`html!`'s static text, entities, digits): no
    /// framing needed.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_static(&mut self, s: &str) {
        // Framed mode trusts its callers (the macro's literals, entities, digits) to frame
        // their line breaks: a patch of `html!` alone is not checked again.
        debug_assert!(!self.framed || is_framed_from(s.as_bytes(), 0), "{s:?}");
        let n = s.len();
        self.room(n);
        // SAFETY: `cap - len >= n`, so `len..len + n` is inside the allocation (invariant 1).
        // `s` cannot overlap it: `s` is borrowed while this writer holds the only access to
        // the `String`. Whole `&str`s keep the bytes valid UTF-8 (invariant 2).
        unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), self.ptr.add(self.len), n) };
        self.len += n;
    }

    /// `html!`'s static text with line breaks: `raw`, or in framed mode `framed` (`raw` with
    /// every line break replaced by `\n` + the prefix, computed by the macro).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_static_lines(&mut self, raw: &str, framed: &str) {
        if !self.framed {
            return self.push_static(raw);
        }
        if self.cr_at == self.len && raw.starts_with('\n') {
            return self.push_framed(raw);
        }
        self.push_static(framed);
        if raw.ends_with('\r') {
            self.cr_at = self.len;
        }
    }

    /// Appends `s` in framed mode (see [`push_framed`]). The work is done on the `String`,
    /// out of line, so the writer's own address is never taken.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn push_framed(&mut self, s: &str) {
        let cr_at = self.cr_at;
        self.cr_at = self.lend(|string| push_framed(string, s, cr_at));
    }

    /// Stores, lends the `String` to `f`, and loads everything afresh afterwards — also when
    /// `f` panics: the reload runs in a guard's `Drop`, so a writer used again after a caught
    /// panic, or from another guard's `Drop` during unwinding, never trusts a pointer, length
    /// or capacity the lender may have invalidated.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn lend<R>(&mut self, f: impl FnOnce(&mut String) -> R) -> R {
        /// Reloads the writer when dropped, on return and on unwinding alike.
        struct Reload<'w, 'a>(&'w mut Writer<'a>);
        impl Drop for Reload<'_, '_> {
            #[cfg_attr(debug_assertions, inline)]
            #[cfg_attr(not(debug_assertions), inline(always))]
            fn drop(&mut self) {
                self.0.load();
            }
        }
        self.store();
        let guard = Reload(self);
        f(guard.0.string)
    }

    /// Appends one ASCII byte; any other byte is written as U+FFFD.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_ascii(&mut self, b: u8) {
        if !b.is_ascii() {
            return self.push_static("\u{fffd}");
        }
        if self.framed && (b == b'\n' || b == b'\r') {
            return self.push_framed(if b == b'\n' { "\n" } else { "\r" });
        }
        self.push_digit(b);
    }

    /// Appends an ASCII byte (a line break only outside framed mode).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn push_digit(&mut self, b: u8) {
        debug_assert!(b.is_ascii());
        self.room(1);
        // SAFETY: `len < cap` (invariant 1); an ASCII byte keeps the bytes UTF-8.
        unsafe { self.ptr.add(self.len).write(b) };
        self.len += 1;
    }

    /// Appends the decimal digits of `n`.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn push_u64(&mut self, n: u64) {
        if n < 10 {
            self.push_digit(b'0' + n as u8);
        } else if n < 100 {
            self.push_pair(PAIRS[n as usize]);
        } else if n < 10_000 {
            let n = n as usize;
            if n >= 1000 {
                self.push_pair(PAIRS[n / 100]);
            } else {
                self.push_digit(b'0' + (n / 100) as u8);
            }
            self.push_pair(PAIRS[n % 100]);
        } else {
            self.push_static(itoa::Buffer::new().format(n));
        }
    }

    /// Appends two ASCII digits.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn push_pair(&mut self, pair: [u8; 2]) {
        self.room(2);
        // SAFETY: `cap - len >= 2`, so both bytes are inside the allocation (invariant 1);
        // ASCII digits keep the bytes UTF-8 (invariant 2).
        unsafe {
            self.ptr
                .add(self.len)
                .cast::<[u8; 2]>()
                .write_unaligned(pair)
        };
        self.len += 2;
    }

    /// Lends the `String` (with everything written so far) to `f`, then continues after
    /// whatever `f` appended.
    ///
    /// In framed mode `f` gets an empty `String` instead, and what it leaves there is appended,
    /// framed: code outside the writer never holds the bytes the writer framed, so it cannot
    /// change them (a `Render` that reads or edits what came before its own output sees
    /// nothing there).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn with_string<R>(&mut self, f: impl FnOnce(&mut String) -> R) -> R {
        if self.framed {
            return self.with_scratch(f);
        }
        self.lend(f)
    }

    /// [`Writer::with_string`] in framed mode. A panic in `f` leaves the writer as it was
    /// (its `String` was not lent).
    #[inline]
    fn with_scratch<R>(&mut self, f: impl FnOnce(&mut String) -> R) -> R {
        let mut scratch = take_scratch();
        let r = f(&mut scratch);
        let bytes = scratch.as_bytes();
        let has_break = if bytes.len() < 32 {
            // Numbers, names: a plain loop costs less than setting up a vector search.
            bytes.iter().any(|b| matches!(b, b'\n' | b'\r'))
        } else {
            memchr::memchr2(b'\n', b'\r', bytes).is_some()
        };
        if has_break || (self.cr_at == self.len && bytes.first() == Some(&b'\n')) {
            self.push_framed(&scratch);
        } else {
            self.push_static(&scratch);
        }
        keep_scratch(scratch);
        r
    }

    /// Runs `f` with this writer's state moved into a writer of `f`'s own (a local: once `f` is
    /// inlined into the function that calls this, its fields can live in registers, which a
    /// writer reached through a pointer cannot), and takes the state back when `f` returns or
    /// unwinds. What an optimized build's `html!` template does first with the writer it is
    /// given, so its writes keep the state in registers whether or not its closure is inlined
    /// where it is called (a debug build's template writes through the pointer: one function
    /// fewer per template to compile).
    ///
    /// Sound without `unsafe`: the fields are borrowed apart, the local writer gets the
    /// `String` by reborrow and copies of the rest, so invariants 1–4 hold for it as they held
    /// here; the guard writes its fields back (a grown allocation's pointer and capacity
    /// included) before this writer can be used again, so they hold here afterwards. The local
    /// writer is never dropped (`ManuallyDrop`): this one stores the length and reports the
    /// framing when it is dropped itself.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[doc(hidden)]
    pub fn in_local<R>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> R) -> R {
        /// The local writer, and where its state goes back to.
        struct Back<'p> {
            local: std::mem::ManuallyDrop<Writer<'p>>,
            ptr: &'p mut *mut u8,
            len: &'p mut usize,
            cap: &'p mut usize,
            left: &'p mut usize,
            cr_at: &'p mut usize,
        }
        impl Drop for Back<'_> {
            #[cfg_attr(debug_assertions, inline)]
            #[cfg_attr(not(debug_assertions), inline(always))]
            fn drop(&mut self) {
                *self.ptr = self.local.ptr;
                *self.len = self.local.len;
                *self.cap = self.local.cap;
                *self.left = self.local.left;
                *self.cr_at = self.local.cr_at;
            }
        }
        let Writer {
            string,
            ptr,
            len,
            cap,
            left,
            framed,
            cr_at,
        } = self;
        let local = Writer {
            string,
            ptr: *ptr,
            len: *len,
            cap: *cap,
            left: *left,
            framed: *framed,
            cr_at: *cr_at,
        };
        let mut back = Back {
            local: std::mem::ManuallyDrop::new(local),
            ptr,
            len,
            cap,
            left,
            cr_at,
        };
        f(&mut back.local)
    }

    /// The bytes written so far (the `String`'s and this writer's).
    #[inline]
    pub fn as_str(&mut self) -> &str {
        self.store();
        self.string.as_str()
    }
}

impl Drop for Writer<'_> {
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn drop(&mut self) {
        // Invariants 1–3 hold here, even after a panic inside a lend (`lend` reloaded).
        self.store();
        if self.framed {
            let end = (
                &*self.string as *const String as usize,
                self.len,
                self.cr_at == self.len,
            );
            let _ = FRAMED_END.try_with(|e| e.set(Some(end)));
        }
    }
}

/// Appends `s` to `string` in framed mode: each line break (`\r\n`, `\r`, `\n`) becomes
/// `\n` + the prefix, as `sse::lines::write_data` splits a value. `cr_at` is the length right
/// after a framed `\r` that ended the previous write (a `\n` there completes it); returns the
/// new one.
#[inline(never)]
fn push_framed(string: &mut String, mut s: &str, mut cr_at: usize) -> usize {
    if cr_at == string.len() && s.starts_with('\n') {
        s = &s[1..];
        cr_at = usize::MAX;
    }
    while let Some(i) = memchr::memchr2(b'\n', b'\r', s.as_bytes()) {
        string.push_str(&s[..i]);
        string.push_str(BREAK);
        let cr = s.as_bytes()[i] == b'\r';
        if cr && s.as_bytes().get(i + 1) == Some(&b'\n') {
            s = &s[i + 2..];
        } else {
            s = &s[i + 1..];
            if cr && s.is_empty() {
                cr_at = string.len();
            }
        }
    }
    string.push_str(s);
    cr_at
}

/// Is `b` (the prefix, then framed HTML) framed: the prefix first, no `\r`, and every `\n`
/// followed by the prefix, so that no byte of it can start an SSE field of its own? One search
/// for the first line break, then one pass over the rest with no call per line break: 64 bytes
/// at a time, compared with `\n` and `\r` at once (SSE2, which every `x86_64` has); only a
/// block with a line break looks at its breaks, one bit of a mask each. Elsewhere a plain byte
/// loop.
pub(crate) fn is_framed(b: &[u8]) -> bool {
    if !b.starts_with(PREFIX.as_bytes()) {
        return false;
    }
    // Up to the first line break, one search (the whole patch when it is one line).
    let Some(first) = memchr::memchr2(b'\n', b'\r', b) else {
        return true;
    };
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of every `x86_64` target (its baseline): the feature the
        // function enables is always there.
        unsafe { is_framed_sse2(b, first) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        is_framed_from(b, first)
    }
}

/// The breaks from `from` on, a byte at a time.
fn is_framed_from(b: &[u8], from: usize) -> bool {
    (from..b.len()).all(|i| match b[i] {
        b'\r' => false,
        b'\n' => followed_by_prefix(b, i),
        _ => true,
    })
}

/// Whether the `\n` at `i` is followed by the prefix.
#[inline(always)]
fn followed_by_prefix(b: &[u8], i: usize) -> bool {
    b.get(i + 1..i + 1 + PREFIX.len()) == Some(PREFIX.as_bytes())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn is_framed_sse2(b: &[u8], from: usize) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let nl = _mm_set1_epi8(b'\n' as i8);
    let cr = _mm_set1_epi8(b'\r' as i8);
    /// The `\n`s of `breaks` (a bit each, from `at`) are followed by the prefix.
    #[inline(always)]
    fn breaks_framed(b: &[u8], at: usize, mut breaks: u64) -> bool {
        while breaks != 0 {
            if !followed_by_prefix(b, at + breaks.trailing_zeros() as usize) {
                return false;
            }
            breaks &= breaks - 1;
        }
        true
    }
    let mut at = from;
    // 64 bytes a round: four loads, one test for "a line break somewhere".
    let mut blocks = b[from..].chunks_exact(64);
    for block in &mut blocks {
        let p = block.as_ptr().cast::<__m128i>();
        // SAFETY: `block` is 64 readable bytes: the four unaligned 16-byte loads read its
        // quarters. Nothing is written.
        let v = unsafe {
            [
                _mm_loadu_si128(p),
                _mm_loadu_si128(p.add(1)),
                _mm_loadu_si128(p.add(2)),
                _mm_loadu_si128(p.add(3)),
            ]
        };
        let n = v.map(|v| _mm_cmpeq_epi8(v, nl));
        let r = v.map(|v| _mm_cmpeq_epi8(v, cr));
        let crs = _mm_or_si128(_mm_or_si128(r[0], r[1]), _mm_or_si128(r[2], r[3]));
        let nls = _mm_or_si128(_mm_or_si128(n[0], n[1]), _mm_or_si128(n[2], n[3]));
        if _mm_movemask_epi8(_mm_or_si128(crs, nls)) != 0 {
            if _mm_movemask_epi8(crs) != 0 {
                return false;
            }
            let m = n.map(|n| _mm_movemask_epi8(n) as u32 as u64);
            if !breaks_framed(b, at, m[0] | m[1] << 16 | m[2] << 32 | m[3] << 48) {
                return false;
            }
        }
        at += 64;
    }
    // Then 16 at a time, then a byte at a time.
    let mut chunks = blocks.remainder().chunks_exact(16);
    for chunk in &mut chunks {
        // SAFETY: `chunk` is 16 readable bytes. Nothing is written.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
        if _mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)) != 0 {
            return false;
        }
        let m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u32 as u64;
        if !breaks_framed(b, at, m) {
            return false;
        }
        at += 16;
    }
    is_framed_from(b, at)
}

/// `"00"` … `"99"`.
static PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Str(String),
        Ascii(u8),
        Int(u64),
        Lend(String, usize, bool),
        /// `reserve(n)`: writes nothing.
        Reserve(usize),
        Reserved(String),
        ReservedIf(bool, String),
        /// A number with the largest length its (claimed) type allows: may be too small, then
        /// the writer must take the checked path.
        U64Reserved(u64, usize),
        I64Reserved(i64, usize),
        /// A write of unknown length inside a run.
        Unreserved(String),
        /// Writes through a local writer (`in_local`: what an optimized `html!` template does
        /// with the writer it is given).
        Local(Vec<Op>),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            9 => flat_op(),
            1 => prop::collection::vec(flat_op(), 0..8).prop_map(Op::Local),
        ]
    }

    fn flat_op() -> impl Strategy<Value = Op> {
        prop_oneof![
            ".{0,40}".prop_map(Op::Str),
            any::<u8>().prop_map(Op::Ascii),
            prop_oneof![0u64..20_000, any::<u64>()].prop_map(Op::Int),
            (".{0,20}", 0usize..50, any::<bool>()).prop_map(|(s, t, sh)| Op::Lend(s, t, sh)),
            (0usize..80).prop_map(Op::Reserve),
            ".{0,20}".prop_map(Op::Reserved),
            (any::<bool>(), ".{0,20}").prop_map(|(on, s)| Op::ReservedIf(on, s)),
            (prop_oneof![0u64..20_000, any::<u64>()], 0usize..24)
                .prop_map(|(n, m)| Op::U64Reserved(n, m)),
            (prop_oneof![-20_000i64..20_000, any::<i64>()], 0usize..24)
                .prop_map(|(n, m)| Op::I64Reserved(n, m)),
            ".{0,20}".prop_map(Op::Unreserved),
        ]
    }

    /// Applies one operation to a writer.
    fn write(w: &mut Writer<'_>, op: &Op) {
        match op {
            Op::Str(x) => w.push_str(x),
            Op::Ascii(b) => w.push_ascii(*b),
            Op::Int(n) => w.push_u64(*n),
            Op::Lend(x, t, shrink) => w.with_string(|s| lend(s, x, *t, *shrink)),
            Op::Reserve(n) => w.reserve(*n),
            Op::Reserved(x) => w.push_reserved(x),
            Op::ReservedIf(on, x) => w.push_reserved_if(*on, x),
            Op::U64Reserved(n, m) => w.push_u64_reserved(*n, *m),
            Op::I64Reserved(n, m) => w.push_i64_reserved(*n, *m),
            Op::Unreserved(x) => w.unreserved(|w| w.push_str(x)),
            Op::Local(ops) => w.in_local(|w| ops.iter().for_each(|op| write(w, op))),
        }
        assert!(w.left <= w.cap - w.len, "invariant 4 after {op:?}");
    }

    /// What a writer must produce, with plain `String` operations.
    fn apply(ops: &[Op], s: &mut String) {
        for op in ops {
            match op {
                Op::Str(x) => s.push_str(x),
                Op::Ascii(b) if b.is_ascii() => s.push(*b as char),
                Op::Ascii(_) => s.push('\u{fffd}'),
                Op::Int(n) => s.push_str(&n.to_string()),
                Op::Lend(x, t, shrink) => lend(s, x, *t, *shrink),
                Op::Reserve(_) => {}
                Op::Reserved(x) | Op::Unreserved(x) => s.push_str(x),
                Op::ReservedIf(on, x) => {
                    if *on {
                        s.push_str(x)
                    }
                }
                Op::U64Reserved(n, _) => s.push_str(&n.to_string()),
                Op::I64Reserved(n, _) => s.push_str(&n.to_string()),
                Op::Local(ops) => apply(ops, s),
            }
        }
    }

    /// Inside `with_string`: truncate (at a char boundary), append, maybe shrink.
    fn lend(s: &mut String, x: &str, t: usize, shrink: bool) {
        let mut cut = s.len().saturating_sub(t);
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(x);
        if shrink {
            s.shrink_to_fit();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn writes_what_string_operations_write(start in ".{0,10}", cap in 0usize..64, ops in prop::collection::vec(op(), 0..40)) {
            let mut want = start.clone();
            apply(&ops, &mut want);
            let mut got = String::with_capacity(cap);
            got.push_str(&start);
            {
                let mut w = Writer::new(&mut got);
                for op in &ops {
                    write(&mut w, op);
                }
                prop_assert_eq!(w.as_str(), want.as_str());
            }
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// In framed mode the writer writes exactly the `data: elements` lines that splitting
        /// the plain output would (`\r`, `\n`, `\r\n` anywhere, across writes too).
        #[test]
        fn framed_writes_equal_split_and_copy(ops in prop::collection::vec(prop_oneof![
            "([a-z]{0,3}|\r|\n|\r\n){0,4}".prop_map(Op::Str),
            prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'a')].prop_map(Op::Ascii),
            (0u64..200).prop_map(Op::Int),
            "([a-z]{0,3}|\r|\n){0,3}".prop_map(|x| Op::Lend(x, 0, false)),
            (0usize..40).prop_map(Op::Reserve),
            "[a-z<>]{0,5}".prop_map(Op::Reserved),
            (any::<bool>(), "[a-z]{0,5}").prop_map(|(on, s)| Op::ReservedIf(on, s)),
            (0u64..20_000, 0usize..24).prop_map(|(n, m)| Op::U64Reserved(n, m)),
            (-200i64..200, 0usize..24).prop_map(|(n, m)| Op::I64Reserved(n, m)),
            "([a-z]{0,3}|\r|\n){0,3}".prop_map(Op::Unreserved),
            // A template spliced in: it writes on through a local copy of the writer.
            "([a-z]{0,3}|\r|\n|\r\n){0,3}".prop_map(|x| Op::Local(vec![Op::Str(x)])),
        ], 0..12), lines in prop::collection::vec(("([a-z]|\r|\n|\r\n){0,3}", "([a-z]|\r|\n|\r\n){0,3}"), 0..3)) {
            let mut plain = String::new();
            apply(&ops, &mut plain);
            let mut s = String::from(PREFIX);
            let framing = Framing::begin(&s);
            {
                let mut w = Writer::new(&mut s);
                for op in &ops {
                    match op {
                        Op::Lend(x, _, _) => w.with_string(|s| s.push_str(x)),
                        op => write(&mut w, op),
                    }
                }
                // Static text the macro framed (`html!`'s literals with line breaks).
                for (raw, _) in &lines {
                    let framed = raw.replace("\r\n", "\n").replace('\r', "\n").replace('\n', BREAK);
                    w.push_static_lines(raw, &framed);
                    plain.push_str(raw);
                }
            }
            let end = framing.finish();
            prop_assert_eq!(end.map(|e| e.len), Some(s.len()));
            let mut want = bytes::BytesMut::new();
            crate::sse::lines::write_data(&mut want, "elements", &plain);
            prop_assert_eq!(format!("{s}\n"), String::from_utf8(want.to_vec()).unwrap());
        }
    }

    /// The old check, one line break at a time: what [`is_framed`] must answer.
    fn is_framed_reference(b: &[u8]) -> bool {
        b.starts_with(PREFIX.as_bytes())
            && memchr::memchr2_iter(b'\n', b'\r', b)
                .all(|i| b[i] == b'\n' && b[i + 1..].starts_with(PREFIX.as_bytes()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The block-at-a-time check answers as the one-break-at-a-time one, for breaks on
        /// either side of a block's edges (64 and 16 bytes), prefixes cut short, and a `\r` anywhere.
        #[test]
        fn is_framed_equals_the_reference(pieces in prop::collection::vec(prop_oneof![
            "[a-z]{0,40}".prop_map(|s| s.into_bytes()),
            Just(BREAK.as_bytes().to_vec()),
            (1usize..PREFIX.len()).prop_map(|n| ["\n", &PREFIX[..n]].concat().into_bytes()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\r\n".to_vec()),
            Just("é".as_bytes().to_vec()),
        ], 0..24), prefixed in prop::bool::weighted(0.9)) {
            let mut b = if prefixed { PREFIX.as_bytes().to_vec() } else { Vec::new() };
            for p in &pieces {
                b.extend_from_slice(p);
            }
            prop_assert_eq!(is_framed(&b), is_framed_reference(&b));
            // Every start, so that each byte meets each position in a block.
            for skip in 1..b.len().min(65) {
                let s = &b[skip..];
                prop_assert_eq!(is_framed(s), is_framed_reference(s));
            }
        }
    }

    #[test]
    fn is_framed_cases() {
        let ok = format!("{PREFIX}a{BREAK}b{BREAK}");
        assert!(is_framed(ok.as_bytes()));
        assert!(is_framed(PREFIX.as_bytes()));
        let long = format!("{PREFIX}{}{BREAK}{}", "x".repeat(100), "y".repeat(100));
        assert!(is_framed(long.as_bytes()));
        for bad in [
            String::new(),
            format!("{PREFIX}a\nb"),
            format!("{PREFIX}a\r{PREFIX}"),
            format!("{PREFIX}{}\n", "x".repeat(70)),
            format!("{PREFIX}{}\r{}", "x".repeat(40), "y".repeat(40)),
            format!("event: evil-abc{BREAK}"),
            long.replacen(BREAK, "\nevent: x\n\n\n\n\n\n", 1),
        ] {
            assert!(!is_framed(bad.as_bytes()), "{bad:?}");
        }
    }

    /// A framed writer lends a `String` of its own: the lender sees none of the framed
    /// bytes, cannot change them, and what it writes is framed (a `\r` at the end of one
    /// lend and a `\n` at the start of the next are one break). A panic in a lend leaves the
    /// writer as it was. A writer that is not framed lends its own `String`.
    #[test]
    fn a_framed_writer_lends_a_string_of_its_own() {
        let mut s = String::from(PREFIX);
        let framing = Framing::begin(&s);
        {
            let mut w = Writer::new(&mut s);
            w.push_str("a");
            w.with_string(|s| {
                assert_eq!(s, "");
                s.push_str("b\r");
            });
            w.with_string(|s| s.push_str("\nc"));
            w.with_string(|s| {
                s.clear();
                s.push_str("\n\nevent: x");
            });
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                w.with_string(|s| {
                    s.push_str("\nlost");
                    panic!("boom");
                })
            }));
            assert!(caught.is_err());
            w.push_str("d");
        }
        let f = framing.finish().unwrap();
        assert_eq!(s, format!("{PREFIX}ab{BREAK}c{BREAK}{BREAK}event: xd"));
        assert_eq!(f.len, s.len());

        let mut other = String::from("x");
        Writer::new(&mut other).with_string(|s| {
            assert_eq!(s, "x");
            s.push('y');
        });
        assert_eq!(other, "xy");
    }

    /// A local writer hands its state back also when what writes through it panics, after it
    /// grew the allocation and after a lend shrank it: the writer goes on from there.
    #[test]
    fn in_local_hands_the_state_back_on_unwinding() {
        let mut s = String::from("a");
        let mut w = Writer::new(&mut s);
        w.in_local(|l| l.push_str(&"x".repeat(1000)));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            w.in_local(|l| {
                l.push_str(&"y".repeat(5000));
                l.with_string(|s| {
                    s.truncate(2);
                    s.shrink_to_fit();
                });
                l.push_str("z");
                panic!("in a template");
            })
        }));
        assert!(r.is_err());
        assert!(w.len <= w.cap && w.left <= w.cap - w.len);
        w.push_str("b");
        drop(w);
        assert_eq!(s, "axzb");
    }

    /// A framing that was dropped unfinished (a panic while rendering) leaves nothing for an
    /// enclosing one, and a framing does not take what a writer on another `String` left.
    #[test]
    fn framing_finishes_with_its_own_writer_only() {
        let s = String::from(PREFIX);
        let outer = Framing::begin(&s);
        {
            let mut inner_s = String::from(PREFIX);
            let inner = Framing::begin(&inner_s);
            Writer::new(&mut inner_s).push_str("x");
            drop(inner);
        }
        assert_eq!(outer.finish(), None);
        let outer = Framing::begin(&s);
        {
            let mut inner_s = String::from(PREFIX);
            let _inner = Framing::begin(&inner_s);
            Writer::new(&mut inner_s).push_str("x");
            std::mem::forget(_inner);
        }
        assert_eq!(outer.finish(), None, "the writer was on another String");
    }

    #[test]
    fn only_the_target_writes_framed() {
        let mut other = String::from(PREFIX);
        let mut s = String::from(PREFIX);
        let framing = Framing::begin(&s);
        Writer::new(&mut other).push_str("a\nb");
        assert_eq!(other, format!("{PREFIX}a\nb"));
        s.push('x');
        Writer::new(&mut s).push_str("a\nb");
        assert_eq!(s, format!("{PREFIX}xa\nb"), "not at the start: not framed");
        assert_eq!(framing.finish(), None);
    }

    /// Each integer type's largest value fits the length its `Bounded` impl reserves, and the
    /// reserved write of every width equals its `Display`; a run over a reservation that is
    /// too small falls back to checked writes and still writes the same.
    #[test]
    fn reserved_numbers_of_every_width() {
        use crate::splice::Bounded;
        fn check<T: Bounded + std::fmt::Display>(values: &[T]) {
            for v in values {
                for room in [0, 1, T::MAX_LEN - 1, T::MAX_LEN, T::MAX_LEN + 7] {
                    for cap in [0, 3, 64] {
                        let mut s = String::with_capacity(cap);
                        let mut w = Writer::new(&mut s);
                        w.reserve(room + 2);
                        w.push_reserved("<");
                        v.write_reserved(&mut w);
                        w.push_reserved(">");
                        assert!(w.left <= w.cap - w.len);
                        drop(w);
                        assert_eq!(s, format!("<{v}>"));
                    }
                }
                assert!(v.to_string().len() <= T::MAX_LEN);
            }
        }
        check(&[0u8, 9, 10, 99, 100, 255]);
        check(&[0u16, 9_999, 10_000, u16::MAX]);
        check(&[0u32, 12_345, u32::MAX]);
        check(&[0u64, 9, 99, 999, 9_999, 10_000, u64::MAX]);
        check(&[0usize, usize::MAX]);
        check(&[i8::MIN, -1, 0, i8::MAX]);
        check(&[i16::MIN, -10_000, -9_999, i16::MAX]);
        check(&[i32::MIN, -5, i32::MAX]);
        check(&[i64::MIN, -1, 0, 7, i64::MAX]);
        check(&[isize::MIN, isize::MAX]);
        check(&[&3u8, &200]);
    }

    #[test]
    fn every_integer_width() {
        for n in (0..20_000).chain([u64::MAX, 99_999, 100_000, 1 << 40]) {
            let mut s = String::new();
            Writer::new(&mut s).push_u64(n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn a_panic_while_lent_leaves_a_valid_string() {
        let mut s = String::from("abc");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut w = Writer::new(&mut s);
            w.push_str("def");
            w.with_string(|s| {
                s.truncate(1);
                s.shrink_to_fit();
                panic!("boom");
            });
        }));
        assert!(r.is_err());
        assert_eq!(s, "a");
    }

    /// A panic inside a lend that is caught, after which the writer keeps writing: the writer
    /// reloads from the `String` the lender left (here a new, smaller allocation), so nothing
    /// is written through a stale pointer (before the fix: a heap use-after-free, seen by ASAN).
    #[test]
    fn writing_after_a_caught_panic_in_a_lend_uses_the_new_allocation() {
        let mut s = String::with_capacity(256);
        s.push_str("<p>");
        let mut w = Writer::new(&mut s);
        w.push_str("<b>");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            w.with_string(|s| {
                *s = String::from("x"); // frees the old buffer
                panic!("child failed");
            })
        }));
        assert!(caught.is_err());
        let tail = "a".repeat(100);
        w.push_str(&tail);
        w.push_u64(1234);
        assert_eq!(w.as_str(), format!("x{tail}1234"));
        drop(w);
        assert_eq!(s, format!("x{}1234", "a".repeat(100)));
    }

    /// A guard that writes through the writer from its `Drop` while a panic from a lend
    /// unwinds (closing a tag): it writes into the `String` as the lender left it.
    #[test]
    fn a_drop_guard_writing_during_unwinding_sees_the_reloaded_string() {
        struct Closer<'w, 'a>(&'w mut Writer<'a>);
        impl Drop for Closer<'_, '_> {
            fn drop(&mut self) {
                self.0.push_str("</section>");
            }
        }
        let mut s = String::from("<section>");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut w = Writer::new(&mut s);
            let closer = Closer(&mut w);
            closer.0.with_string(|s| {
                s.push_str(&"y".repeat(1000)); // reallocates
                panic!("boom");
            });
        }));
        assert!(r.is_err());
        assert_eq!(s, format!("<section>{}</section>", "y".repeat(1000)));
    }

    /// `unsafe` stays in this module: no other source file of the crate allows it.
    #[test]
    fn no_other_module_allows_unsafe() {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    visit(&p, found);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    if text.contains(concat!("allow(", "unsafe_code)")) {
                        found.push(p.file_name().unwrap().to_string_lossy().into_owned());
                    }
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert_eq!(found, ["writer.rs"]);
    }

    #[test]
    fn forgetting_a_writer_loses_only_its_bytes() {
        let mut s = String::from("abc");
        let mut w = Writer::new(&mut s);
        w.push_str("def");
        std::mem::forget(w);
        assert_eq!(s, "abc");
    }
}
