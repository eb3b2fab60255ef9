//! Compressed SSE streams (feature `compression`): zstd, brotli or gzip, chosen from the
//! request's `Accept-Encoding`, flushed after every write so each event reaches the client as
//! soon as it is sent. Two modes ([`Compression`]):
//!
//! - **per event** (the default): each event is compressed on its own, a zstd frame or a gzip
//!   block after a full flush, so its compressed size depends on that event alone;
//! - **shared window**: one compression context for the whole stream, each event compressed
//!   against what came before it. Smaller, and a length oracle: when one stream carries a
//!   secret and text an attacker chose (reflected), an attacker who can see the sizes on the
//!   wire learns the secret a character at a time (CRIME/BREACH). Choose it only for streams
//!   that never mix the two.

use std::convert::Infallible;
use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http::header::{HeaderMap, HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, VARY};

/// The content coding of an SSE stream, negotiated from the request's `Accept-Encoding` by
/// [`Sse::compressed`](crate::axum::Sse::compressed).
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

/// How a compressed stream's events share (or not) a compression context.
///
/// ```
/// use nitro_runtime::axum::Compression;
/// assert_eq!(Compression::default(), Compression::PerEvent);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Each event compressed on its own (zstd: one frame per event; gzip: a full flush before
    /// each event; brotli, which cannot restart inside a stream, is not used), so an event's
    /// compressed size depends only on that event: no length oracle across events. Within one
    /// event the size still depends on its content: do not put a secret and text an attacker
    /// chose in the same event.
    #[default]
    PerEvent,
    /// One context for the whole stream (zstd, brotli or gzip): events are compressed against
    /// the ones before them, so repeated markup costs a few bytes. A length oracle: never
    /// send a secret and attacker-reflected text on one such stream (CRIME/BREACH).
    SharedWindow,
}

impl StreamEncoding {
    /// Chooses the coding for a response to a request with these headers: the coding with
    /// the highest quality value among `br`, `zstd` and `gzip` (`*` stands for those not
    /// named, `q=0` excludes), zstd before brotli before gzip when equal, and
    /// [`Identity`](StreamEncoding::Identity) when none is acceptable, when the client rates
    /// `identity` higher, or when there is no `Accept-Encoding`.
    pub fn negotiate(request_headers: &HeaderMap) -> StreamEncoding {
        Self::negotiate_among(request_headers, &PREFERENCE)
    }

    /// [`StreamEncoding::negotiate`] for `mode`: brotli is not offered per event.
    pub(crate) fn negotiate_for(request_headers: &HeaderMap, mode: Compression) -> StreamEncoding {
        match mode {
            Compression::PerEvent => Self::negotiate_among(
                request_headers,
                &[StreamEncoding::Zstd, StreamEncoding::Gzip],
            ),
            Compression::SharedWindow => Self::negotiate(request_headers),
        }
    }

    fn negotiate_among(request_headers: &HeaderMap, offered: &[StreamEncoding]) -> StreamEncoding {
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
        for &encoding in offered {
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
    /// Per event: one zstd frame per event, from a context that keeps nothing between them.
    ZstdFrames(Box<zstd::bulk::Compressor<'static>>, Vec<u8>),
    /// Per event: raw deflate with a full flush after each event, inside one gzip member.
    GzipBlocks(Box<GzipBlocks>),
}

/// A gzip member whose deflate stream is fully flushed (its dictionary reset) after each
/// event, so each event's blocks depend on that event alone.
struct GzipBlocks {
    deflate: flate2::Compress,
    crc: flate2::Crc,
    out: Vec<u8>,
}

/// A gzip header without a name, time or flags (RFC 1952), OS unknown.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl GzipBlocks {
    fn new() -> GzipBlocks {
        GzipBlocks {
            deflate: flate2::Compress::new(flate2::Compression::new(6), false),
            crc: flate2::Crc::new(),
            out: GZIP_HEADER.to_vec(),
        }
    }

    fn deflate(&mut self, mut data: &[u8], flush: flate2::FlushCompress) -> io::Result<()> {
        loop {
            self.out.reserve(data.len() / 2 + 64);
            let before = self.deflate.total_in();
            let status = self
                .deflate
                .compress_vec(data, &mut self.out, flush)
                .map_err(io::Error::other)?;
            data = &data[(self.deflate.total_in() - before) as usize..];
            let room = self.out.capacity() > self.out.len();
            if data.is_empty() && (room || status == flate2::Status::StreamEnd) {
                return Ok(());
            }
        }
    }

    fn event(&mut self, data: &[u8]) -> io::Result<()> {
        self.crc.update(data);
        self.deflate(data, flate2::FlushCompress::Full)
    }

    fn finish(mut self) -> io::Result<Vec<u8>> {
        self.deflate(&[], flate2::FlushCompress::Finish)?;
        self.out.extend_from_slice(&self.crc.sum().to_le_bytes());
        self.out.extend_from_slice(&self.crc.amount().to_le_bytes());
        Ok(self.out)
    }
}

impl Compressor {
    fn new(encoding: StreamEncoding, mode: Compression) -> io::Result<Option<Compressor>> {
        if mode == Compression::PerEvent {
            return Ok(Some(match encoding {
                StreamEncoding::Zstd => Compressor::ZstdFrames(
                    Box::new(zstd::bulk::Compressor::new(ZSTD_LEVEL)?),
                    Vec::new(),
                ),
                StreamEncoding::Gzip => Compressor::GzipBlocks(Box::new(GzipBlocks::new())),
                _ => return Ok(None),
            }));
        }
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

    /// Writes one event (or keep-alive comment).
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Compressor::Gzip(w) => w.write_all(data),
            Compressor::Brotli(w) => w.write_all(data),
            Compressor::Zstd(w) => w.write_all(data),
            Compressor::ZstdFrames(z, out) => {
                out.extend_from_slice(&z.compress(data)?);
                Ok(())
            }
            Compressor::GzipBlocks(g) => g.event(data),
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
            Compressor::ZstdFrames(_, out) => out,
            Compressor::GzipBlocks(g) => &mut g.out,
        };
        Ok(Bytes::from(std::mem::take(out)))
    }

    /// Ends the compressed stream (its trailer) and takes the last bytes.
    fn finish(self) -> io::Result<Bytes> {
        let out = match self {
            Compressor::Gzip(w) => w.finish()?,
            Compressor::Brotli(w) => w.into_inner(),
            Compressor::Zstd(w) => w.finish()?,
            Compressor::ZstdFrames(_, out) => out,
            Compressor::GzipBlocks(g) => g.finish()?,
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
pub(crate) fn compress<S>(
    inner: S,
    encoding: StreamEncoding,
    mode: Compression,
) -> Result<Compressed<S>, S> {
    match Compressor::new(encoding, mode) {
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

    /// What a per-event compressor writes for `events`, the bytes of each event apart.
    fn per_event(encoding: StreamEncoding, events: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut c = Compressor::new(encoding, Compression::PerEvent)
            .unwrap()
            .unwrap();
        let mut out = Vec::new();
        for (i, e) in events.iter().enumerate() {
            c.write(e).unwrap();
            let mut bytes = c.flush().unwrap().to_vec();
            if i == 0 && encoding == StreamEncoding::Gzip {
                bytes.drain(..GZIP_HEADER.len());
            }
            out.push(bytes);
        }
        out
    }

    #[test]
    fn per_event_bytes_do_not_depend_on_what_came_before() {
        let secret: &[u8] =
            b"event: datastar-patch-signals\ndata: signals {\"token\":\"7f3a9c21\"}\n\n";
        let guess: &[u8] =
            b"event: datastar-patch-signals\ndata: signals {\"echo\":\"token\":\"7f3a9c2\"}\n\n";
        let other: &[u8] =
            b"event: datastar-patch-elements\ndata: elements <p id=\"x\">hello</p>\n\n";
        for encoding in [StreamEncoding::Zstd, StreamEncoding::Gzip] {
            let alone = per_event(encoding, &[guess]);
            let after_secret = per_event(encoding, &[secret, guess]);
            let after_other = per_event(encoding, &[other, other, guess]);
            assert_eq!(alone[0], after_secret[1], "{encoding:?}");
            assert_eq!(alone[0], after_other[2], "{encoding:?}");
        }
        // Brotli cannot restart within a stream: it is not used per event.
        assert!(
            Compressor::new(StreamEncoding::Brotli, Compression::PerEvent)
                .unwrap()
                .is_none()
        );
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
