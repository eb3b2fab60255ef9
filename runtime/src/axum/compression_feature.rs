//! Without the `compression` feature, [`Sse::compressed`] still exists, so that calling it says
//! which feature to turn on instead of "no method named `compressed`".

use super::Sse;

/// Implemented by nothing: the bound of [`Sse::compressed`] when nitro's `compression` feature
/// is off, whose compile error names the feature.
///
/// With the feature on, `Sse::compressed(&headers)` takes the request's `HeaderMap`; without
/// it, this does not compile and the message says what to add to `Cargo.toml`:
///
/// ```compile_fail
/// use nitro::prelude::*;
/// let headers = http::HeaderMap::new();
/// let sse = Sse::spawn(|_sender| async { Ok(()) }).compressed(&headers);
/// ```
#[diagnostic::on_unimplemented(
    message = "`Sse::compressed` needs nitro's `compression` feature",
    label = "compression is not compiled in",
    note = "turn the feature on in Cargo.toml: `nitro = {{ version = \"0.1\", features = [\"compression\"] }}`"
)]
pub trait CompressionFeature: sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
}

impl Sse {
    /// Compresses the stream: needs nitro's `compression` feature; without it, a call does not
    /// compile and the error names the feature ([`CompressionFeature`]).
    pub fn compressed<H: CompressionFeature + ?Sized>(self, request_headers: &H) -> Sse {
        let _ = request_headers;
        self
    }
}
