//! What [`ExecuteScript::new`](super::ExecuteScript::new) accepts as code, with a compile error
//! that names the fix for everything else.

/// Code written in your program: a `&'static str`, the only type that implements it. A `String`
/// (from `format!`, say) is refused at compile time with a message naming the two fixes: data
/// as arguments with [`ExecuteScript::arg`](super::ExecuteScript::arg), or
/// [`ExecuteScript::trusted`](super::ExecuteScript::trusted) for code that really is built at
/// run time.
///
/// ```
/// use nitro::prelude::*;
/// let n = 3;
/// let e = ExecuteScript::new("console.log(n)").arg("n", &n).unwrap();
/// assert!(e.encode().unwrap().contains("{const n = 3;"));
/// ```
///
/// ```compile_fail
/// use nitro::prelude::*;
/// let n = 3;
/// let e = ExecuteScript::new(format!("console.log({n})"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`ExecuteScript::new` takes code written in the program (a `&'static str`), not `{Self}`",
    label = "code built at run time",
    note = "put data in as arguments, encoded as JSON so it stays data: `ExecuteScript::new(\"console.log(n)\").arg(\"n\", &value)?`",
    note = "for code that really is assembled at run time from trusted parts: `ExecuteScript::trusted(code)`"
)]
pub trait StaticCode: sealed::Sealed {
    /// The code.
    ///
    /// ```
    /// use nitro::sse::StaticCode;
    /// assert_eq!("go()".code(), "go()");
    /// ```
    fn code(self) -> &'static str;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &'static str {}
}

impl StaticCode for &'static str {
    fn code(self) -> &'static str {
        self
    }
}
