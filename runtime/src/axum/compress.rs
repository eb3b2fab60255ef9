//! Compressed SSE streams (feature `compression`): brotli, zstd or gzip, chosen from the
//! request's `Accept-Encoding`, one compressor per stream whose window is kept across events,
//! flushed after every write so each event reaches the client as soon as it is sent.

use std::convert::Infallible;
use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http::header::{HeaderMap, HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, VARY};

/// The content coding of an SSE stream, negotiated from the request's `Accept-Encoding` by
/// [`SseStream::compressed`](crate::axum::SseStream::compressed).
///
/// ```
/// use axum::http::{header::ACCEPT_ENCODING, HeaderMap};
/// use nitro_runtime::axum::StreamEncoding;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(ACCEPT_ENCODING, "gzip, deflate, br, zstd".parse().unwrap());
/// assert_eq!(StreamEncoding::negotiate(&headers), StreamEncoding::Zstd);
/// headers.insert(ACCEPT_ENCODING, "br;q=0.5, gzip".parse().unwrap());
/// assert_eq!(StreamEncoding::negotiate(&headers), StreamEncoding::Gzip);
/// headers.insert(ACCEPT_ENCODING, "deflate".parse().unwrap());
/// assert_eq!(StreamEncoding::negotiate(&headers), StreamEncoding::Identity);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEncoding {
    /// Not compressed.
    Identity,
    /// `gzip` (the fallback every client has).
    Gzip,
    /// `br` (brotli).
    Brotli,
    /// `zstd`: the first choice (smallest and cheapest of the three on chat- and todo-like
    /// streams, BENCHMARKS.md).
    Zstd,
}

/// Server preference among codings the client rates equally: zstd gave the smallest streams
/// at the lowest CPU in `benches/stream_compression.rs` (see BENCHMARKS.md), then brotli, then
/// gzip.
const PREFERENCE: [StreamEncoding; 3] = [
    StreamEncoding::Zstd,
    StreamEncoding::Brotli,
    StreamEncoding::Gzip,
];

impl StreamEncoding {
    /// Chooses the coding for a response to a request with these headers: the coding with
    /// the highest quality value among `br`, `zstd` and `gzip` (`*` stands for those not
    /// named, `q=0` excludes), zstd before brotli before gzip when equal, and
    /// [`Identity`](StreamEncoding::Identity) when none is acceptable, when the client rates
    /// `identity` higher, or when there is no `Accept-Encoding`.
    pub fn negotiate(request_headers: &HeaderMap) -> StreamEncoding {
        let mut named = [None::<u16>; 3];
        let mut star = None::<u16>;
        let mut identity = None::<u16>;
        for value in request_headers.get_all(ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                if coding.is_empty() {
                    continue;
                }
                let mut q = Some(1000);
                for param in parts {
                    let (k, v) = param.split_once('=').unwrap_or((param, ""));
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = parse_qvalue(v.trim());
                    }
                }
                // An item with an invalid quality value is ignored.
                let Some(q) = q else { continue };
                let slot = if coding.eq_ignore_ascii_case("br") {
                    &mut named[0]
                } else if coding.eq_ignore_ascii_case("zstd") {
                    &mut named[1]
                } else if coding.eq_ignore_ascii_case("gzip")
                    || coding.eq_ignore_ascii_case("x-gzip")
                {
                    &mut named[2]
                } else if coding == "*" {
                    &mut star
                } else if coding.eq_ignore_ascii_case("identity") {
                    &mut identity
                } else {
                    continue;
                };
                *slot = Some(slot.map_or(q, |old: u16| old.max(q)));
            }
        }
        let mut best = (StreamEncoding::Identity, 0u16);
        for encoding in PREFERENCE {
            let slot = match encoding {
                StreamEncoding::Brotli => 0,
                StreamEncoding::Zstd => 1,
                _ => 2,
            };
            let q = named[slot].or(star).unwrap_or(0);
            if q > best.1 {
                best = (encoding, q);
            }
        }
        match identity {
            Some(q) if q > best.1 => StreamEncoding::Identity,
            _ => best.0,
        }
    }

    /// The token of the `Content-Encoding` header (`"identity"` for none).
    ///
    /// ```
    /// assert_eq!(nitro_runtime::axum::StreamEncoding::Zstd.as_str(), "zstd");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            StreamEncoding::Identity => "identity",
            StreamEncoding::Gzip => "gzip",
            StreamEncoding::Brotli => "br",
            StreamEncoding::Zstd => "zstd",
        }
    }
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths; `None` if malformed.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Brotli quality: 5 is the usual choice for dynamic content (good ratio, moderate CPU).
const BROTLI_QUALITY: u32 = 5;
/// Compression windows of 2^18 = 256 KiB: events refer back to earlier ones far enough, and
/// a connection's compressor stays small.
const WINDOW_LOG: u32 = 18;
/// zstd level 3, its default.
const ZSTD_LEVEL: i32 = 3;

/// One stream's compressor; it writes into a `Vec` the stream takes after each flush.
enum Compressor {
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
    Zstd(zstd::stream::write::Encoder<'static, Vec<u8>>),
}

impl Compressor {
    fn new(encoding: StreamEncoding) -> io::Result<Option<Compressor>> {
        Ok(Some(match encoding {
            StreamEncoding::Identity => return Ok(None),
            StreamEncoding::Gzip => Compressor::Gzip(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::new(6),
            )),
            StreamEncoding::Brotli => Compressor::Brotli(Box::new(brotli::CompressorWriter::new(
                Vec::new(),
                4096,
                BROTLI_QUALITY,
                WINDOW_LOG,
            ))),
            StreamEncoding::Zstd => {
                let mut z = zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL)?;
                z.window_log(WINDOW_LOG)?;
                Compressor::Zstd(z)
            }
        }))
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Compressor::Gzip(w) => w.write_all(data),
            Compressor::Brotli(w) => w.write_all(data),
            Compressor::Zstd(w) => w.write_all(data),
        }
    }

    /// Flushes what was written so far (a sync flush: the client can decode all of it) and
    /// takes the compressed bytes.
    fn flush(&mut self) -> io::Result<Bytes> {
        let out = match self {
            Compressor::Gzip(w) => {
                w.flush()?;
                w.get_mut()
            }
            Compressor::Brotli(w) => {
                w.flush()?;
                w.get_mut()
            }
            Compressor::Zstd(w) => {
                w.flush()?;
                w.get_mut()
            }
        };
        Ok(Bytes::from(std::mem::take(out)))
    }

    /// Ends the compressed stream (its trailer) and takes the last bytes.
    fn finish(self) -> io::Result<Bytes> {
        let out = match self {
            Compressor::Gzip(w) => w.finish()?,
            Compressor::Brotli(w) => w.into_inner(),
            Compressor::Zstd(w) => w.finish()?,
        };
        Ok(Bytes::from(out))
    }
}

/// Everything an SSE body stream writes, compressed: every event that is ready is written,
/// then one flush, so nothing waits in the compressor.
pub(crate) struct Compressed<S> {
    inner: S,
    compressor: Option<Compressor>,
    encoding: StreamEncoding,
}

/// At most this many uncompressed bytes go into one flush when events queue up.
const MAX_BATCH: usize = 64 * 1024;

/// Wraps `inner` in `encoding`; identity (or a compressor that cannot start, logged and
/// counted) leaves it as it is.
pub(crate) fn compress<S>(inner: S, encoding: StreamEncoding) -> Result<Compressed<S>, S> {
    match Compressor::new(encoding) {
        Ok(Some(compressor)) => Ok(Compressed {
            inner,
            compressor: Some(compressor),
            encoding,
        }),
        Ok(None) => Err(inner),
        Err(e) => {
            fail("could not start", encoding.as_str(), &e);
            Err(inner)
        }
    }
}

/// `Content-Encoding` for the coding actually used, and `Vary: Accept-Encoding` whenever the
/// coding was negotiated from the request.
pub(crate) fn encoding_headers(
    response: &mut axum::response::Response,
    negotiated: bool,
    used: Option<StreamEncoding>,
) {
    let h = response.headers_mut();
    if negotiated {
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some(used) = used {
        h.insert(CONTENT_ENCODING, HeaderValue::from_static(used.as_str()));
    }
}

#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn fail(what: &str, coding: &str, e: &io::Error) {
    crate::stats::COMPRESSION_FAILURES.incr();
    crate::log::error!(error = %e, "SSE {coding} compressor {what}");
}

impl<S> Stream for Compressed<S>
where
    S: Stream<Item = Result<Bytes, Infallible>> + Unpin,
{
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(compressor) = this.compressor.as_mut() else {
            return Poll::Ready(None);
        };
        let mut written = 0;
        let ended = loop {
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    if let Err(e) = compressor.write(&bytes) {
                        fail("failed", this.encoding.as_str(), &e);
                        this.compressor = None;
                        return Poll::Ready(None);
                    }
                    written += bytes.len();
                    if written >= MAX_BATCH {
                        break false;
                    }
                }
                Poll::Ready(None) => break true,
                Poll::Pending if written == 0 => return Poll::Pending,
                Poll::Pending => break false,
            }
        };
        let out = if ended {
            let compressor = this.compressor.take().expect("present above");
            compressor.finish()
        } else {
            compressor.flush()
        };
        match out {
            Ok(bytes) if bytes.is_empty() && ended => Poll::Ready(None),
            Ok(bytes) => Poll::Ready(Some(Ok(bytes))),
            Err(e) => {
                fail("failed", this.encoding.as_str(), &e);
                this.compressor = None;
                Poll::Ready(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiate(accept: &str) -> StreamEncoding {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_ENCODING, accept.parse().unwrap());
        StreamEncoding::negotiate(&h)
    }

    #[test]
    fn quality_values_are_honoured() {
        use StreamEncoding::*;
        assert_eq!(StreamEncoding::negotiate(&HeaderMap::new()), Identity);
        assert_eq!(negotiate(""), Identity);
        assert_eq!(negotiate("gzip, deflate, br, zstd"), Zstd);
        assert_eq!(negotiate("gzip, deflate, br"), Brotli);
        assert_eq!(negotiate("gzip, deflate"), Gzip);
        assert_eq!(negotiate("zstd, gzip"), Zstd);
        assert_eq!(negotiate("br;q=0.8, zstd;q=0.9, gzip;q=0.1"), Zstd);
        assert_eq!(negotiate("BR ; Q=0.8 , ZSTD;q=0.9"), Zstd);
        assert_eq!(negotiate("br;q=0, gzip;q=0"), Identity);
        assert_eq!(negotiate("*"), Zstd);
        assert_eq!(negotiate("*;q=0.5, zstd;q=0.4"), Brotli);
        assert_eq!(negotiate("*;q=0, gzip"), Gzip);
        assert_eq!(negotiate("identity"), Identity);
        assert_eq!(negotiate("gzip;q=0.5, identity"), Identity);
        assert_eq!(negotiate("gzip, identity;q=0.5"), Gzip);
        assert_eq!(negotiate("x-gzip"), Gzip);
        assert_eq!(negotiate("deflate, compress"), Identity);
        // Malformed quality values drop their item.
        assert_eq!(negotiate("br;q=2, gzip;q=0.3"), Gzip);
        assert_eq!(negotiate("br;q=0.1234, gzip;q=abc"), Identity);
        assert_eq!(negotiate("br;q=1.0, zstd;q=1.000"), Zstd);
        assert_eq!(negotiate("br;q=1.0, zstd;q=0.999"), Brotli);
        assert_eq!(negotiate(", ,;,br"), Brotli);
    }

    #[test]
    fn qvalues() {
        assert_eq!(parse_qvalue("0"), Some(0));
        assert_eq!(parse_qvalue("0.5"), Some(500));
        assert_eq!(parse_qvalue("0.05"), Some(50));
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1."), Some(1000));
        assert_eq!(parse_qvalue("1.001"), None);
        assert_eq!(parse_qvalue("-0"), None);
        assert_eq!(parse_qvalue(""), None);
        assert_eq!(parse_qvalue("0.+1"), None);
    }
}
