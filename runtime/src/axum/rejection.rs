//! Why [`super::ReadSignals`] refused a request: a status and a sentence saying what is wrong.

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// The rejection of [`super::ReadSignals`]. Each variant has a status ([`Self::status`]) and a
/// plain-text body naming the problem ([`Self::body_text`]); as a response it is exactly that.
///
/// ```
/// use nitro::axum::ReadSignalsRejection;
/// let r = ReadSignalsRejection::MissingQuery;
/// assert_eq!(r.status(), http::StatusCode::BAD_REQUEST);
/// assert!(r.body_text().contains("datastar"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadSignalsRejection {
    /// GET/DELETE without a `datastar` query parameter (400).
    MissingQuery,
    /// The query parameter is not valid percent-encoded UTF-8 (400).
    InvalidQueryEncoding,
    /// The signals are not valid JSON (400); the message gives line and column.
    InvalidJson(String),
    /// The JSON does not fit the signals type (422): `path` names the field (`form.email`).
    InvalidSignals {
        /// Where in the signals the mismatch is (`.` for the top level).
        path: String,
        /// What serde found wrong there.
        message: String,
    },
    /// The body or query is larger than the limit (413).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body's content type is not JSON (415).
    UnsupportedContentType(String),
    /// The body could not be read (400).
    BodyRead(String),
    /// A request that changes state (POST, PUT, PATCH, DELETE, …) came without the
    /// `Datastar-Request: true` header, so it may come from another site (403).
    NotDatastarRequest,
}

impl ReadSignalsRejection {
    /// The HTTP status of this rejection.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingQuery
            | Self::InvalidQueryEncoding
            | Self::InvalidJson(_)
            | Self::BodyRead(_) => StatusCode::BAD_REQUEST,
            Self::InvalidSignals { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotDatastarRequest => StatusCode::FORBIDDEN,
        }
    }

    /// The plain-text body of this rejection.
    pub fn body_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ReadSignalsRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingQuery => f.write_str(
                "Expected the Datastar signals in the `datastar` query parameter (GET and DELETE requests)",
            ),
            Self::InvalidQueryEncoding => {
                f.write_str("The `datastar` query parameter is not valid percent-encoded UTF-8")
            }
            Self::InvalidJson(e) => write!(f, "Signals are not valid JSON: {e}"),
            Self::InvalidSignals { path, message } => {
                write!(f, "Signals do not match the expected type at `{path}`: {message}")
            }
            Self::TooLarge { limit } => write!(f, "Signals are larger than the limit of {limit} bytes"),
            Self::UnsupportedContentType(ct) => write!(
                f,
                "Expected signals as `Content-Type: application/json`, found `{ct}`"
            ),
            Self::BodyRead(e) => write!(f, "Could not read the request body: {e}"),
            Self::NotDatastarRequest => f.write_str(
                "Refused: this request changes state, so it must carry the `Datastar-Request: true` header (the Datastar client sends it)",
            ),
        }
    }
}

impl std::error::Error for ReadSignalsRejection {}

impl IntoResponse for ReadSignalsRejection {
    fn into_response(self) -> Response {
        (self.status(), self.body_text()).into_response()
    }
}
