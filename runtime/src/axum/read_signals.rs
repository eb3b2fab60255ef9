//! [`ReadSignals`]: the page's Datastar signals, deserialized from a request.

use axum::extract::{FromRequest, OptionalFromRequest, Request};
use http::{header::CONTENT_TYPE, Method};
use serde::de::DeserializeOwned;

use super::rejection::ReadSignalsRejection;
use super::DATASTAR_REQUEST;

/// The default limit on the size of the signals: 1 MiB.
pub const DEFAULT_SIGNALS_LIMIT: usize = 1024 * 1024;

/// Overrides the signals size limit for the routes it is added to, as a request extension:
/// `router.layer(axum::Extension(SignalsLimit(64 * 1024)))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalsLimit(pub usize);

/// Extracts the page's signals, sent by the Datastar client with each `@get`/`@post`/…:
/// from the `datastar` query parameter on GET and DELETE, from the JSON body otherwise.
///
/// **Forms:** with the client's `{contentType: 'form'}` option the fields of the closest form
/// arrive instead, as an `application/x-www-form-urlencoded` body (or, on GET and DELETE, as
/// the query string); they are read into the same type, each field from its text (`"3"` into
/// an `i64`, `"true"` into a `bool`; flat structs only). `multipart/form-data` is refused (415).
///
/// **Partial signals:** the client sends every signal of the page (except those starting with
/// `_`), but a handler's type may name fields that a page does not have. Give such fields
/// `#[serde(default)]` (or the whole struct), or make them `Option<T>`, instead of answering
/// 422; the 422 for a missing field says so.
///
/// ```
/// #[derive(serde::Deserialize)]
/// #[serde(default)] // any field the page does not send takes its default
/// #[derive(Default)]
/// struct Filters { query: String, page: u32, only_open: bool }
/// ```
///
/// **Cross-site request forgery:** on every method but GET, HEAD, OPTIONS and TRACE, the
/// request must carry `Datastar-Request: true` (the Datastar client always sends it), and a
/// body must come with `Content-Type: application/json`. Another site can make a browser send
/// a form or a plain `fetch` without asking, but not with a custom header or a JSON content
/// type: those need a CORS preflight, which the app does not grant. Requests without the
/// header are refused with 403 before the body is read. Apps with their own CSRF defence
/// (tokens, `SameSite` cookies checked elsewhere) can use [`ReadSignalsUnchecked`].
///
/// On failure it rejects with a [`ReadSignalsRejection`] (400, 403, 413, 415 or 422) whose
/// body names the problem: the line and column of bad JSON, the path of a missing or mistyped
/// field. `Option<ReadSignals<T>>` is `None` for requests without the `Datastar-Request`
/// header.
///
/// **It must be the handler's last argument**: it reads the request body, and axum lets only
/// the last extractor do that. Elsewhere axum reports "`Handler<_, _>` is not satisfied";
/// `#[nitro::handler]` on the handler says "must be the last argument" instead.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use nitro::axum::ReadSignals;
///
/// #[derive(serde::Deserialize)]
/// struct Search { query: String }
///
/// async fn search(ReadSignals(s): ReadSignals<Search>) -> String {
///     format!("searching for {}", s.query)
/// }
/// let app: Router = Router::new().route("/search", get(search));
/// ```
#[doc(alias = "must be last")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadSignals<T>(pub T);

impl<T> std::ops::Deref for ReadSignals<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for ReadSignals<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// [`ReadSignals`] without its cross-site request check: requests that change state are read
/// without the `Datastar-Request: true` header. Only for apps that defend against CSRF
/// themselves (a token checked in a middleware, for instance); a body still needs a JSON or
/// form content type.
///
/// ```no_run
/// use axum::{routing::post, Router};
/// use nitro::axum::ReadSignalsUnchecked;
///
/// #[derive(serde::Deserialize)]
/// struct Vote { choice: u32 }
///
/// // Behind the app's own CSRF middleware.
/// async fn vote(ReadSignalsUnchecked(v): ReadSignalsUnchecked<Vote>) -> String {
///     format!("voted {}", v.choice)
/// }
/// let app: Router = Router::new().route("/vote", post(vote));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadSignalsUnchecked<T>(pub T);

impl<T> std::ops::Deref for ReadSignalsUnchecked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for ReadSignalsUnchecked<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ReadSignals<T> {
    type Rejection = ReadSignalsRejection;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let safe = [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE];
        if !safe.contains(req.method()) && !is_datastar_request(&req) {
            return Err(rejected(&req, ReadSignalsRejection::NotDatastarRequest));
        }
        read_logged(req).await.map(ReadSignals)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ReadSignalsUnchecked<T> {
    type Rejection = ReadSignalsRejection;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        read_logged(req).await.map(ReadSignalsUnchecked)
    }
}

/// Does the request carry `Datastar-Request: true`?
fn is_datastar_request(req: &Request) -> bool {
    req.headers()
        .get(DATASTAR_REQUEST)
        .is_some_and(|v| v.as_bytes().trim_ascii().eq_ignore_ascii_case(b"true"))
}

#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
/// [`read`], with a refusal logged (debug: a client's mistake, not the server's) and counted.
async fn read_logged<T: DeserializeOwned>(req: Request) -> Result<T, ReadSignalsRejection> {
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    read(req).await.map_err(|r| {
        crate::stats::SIGNALS_REJECTED.incr();
        crate::log::debug!(%method, path, status = r.status().as_u16(), reason = %r, "signals refused");
        r
    })
}

/// Logs and counts a refusal decided before reading.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn rejected(req: &Request, r: ReadSignalsRejection) -> ReadSignalsRejection {
    crate::stats::SIGNALS_REJECTED.incr();
    crate::log::debug!(method = %req.method(), path = req.uri().path(), status = r.status().as_u16(), reason = %r, "signals refused");
    r
}

async fn read<T: DeserializeOwned>(req: Request) -> Result<T, ReadSignalsRejection> {
    let limit = req
        .extensions()
        .get::<SignalsLimit>()
        .map_or(DEFAULT_SIGNALS_LIMIT, |l| l.0);
    if req.method() == Method::GET || req.method() == Method::DELETE {
        let query = req.uri().query().unwrap_or("");
        return match query_param(query, limit) {
            Ok(json) => parse(json.as_bytes()),
            // The client's form mode puts the form's fields into the query instead.
            Err(ReadSignalsRejection::MissingQuery) if !query.is_empty() => {
                if query.len() > limit {
                    return Err(ReadSignalsRejection::TooLarge { limit });
                }
                parse_form(query.as_bytes())
            }
            Err(e) => Err(e),
        };
    }
    // A body is read only when it says what it is: no content type at all is refused too,
    // since a cross-site `fetch` can send that without a preflight.
    let Some(ct) = req.headers().get(CONTENT_TYPE) else {
        return Err(ReadSignalsRejection::UnsupportedContentType(
            "(none)".to_owned(),
        ));
    };
    let ct = ct.to_str().unwrap_or("(not text)");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let form = essence == "application/x-www-form-urlencoded";
    if !(form || essence == "application/json" || essence.ends_with("+json")) {
        return Err(ReadSignalsRejection::UnsupportedContentType(ct.to_owned()));
    }
    let body = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| {
            let too_large =
                std::iter::successors(Some(&e as &(dyn std::error::Error + 'static)), |e| {
                    e.source()
                })
                .any(|e| e.is::<http_body_util::LengthLimitError>());
            if too_large {
                ReadSignalsRejection::TooLarge { limit }
            } else {
                ReadSignalsRejection::BodyRead(e.to_string())
            }
        })?;
    if form {
        parse_form(&body)
    } else {
        parse(&body)
    }
}

/// Reads form fields (`a=1&b=x`) into `T`.
fn parse_form<T: DeserializeOwned>(form: &[u8]) -> Result<T, ReadSignalsRejection> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(form));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = hint(e.into_inner().to_string());
        ReadSignalsRejection::InvalidSignals { path, message }
    })
}

/// Adds the way out to serde's "missing field" message.
fn hint(message: String) -> String {
    if message.starts_with("missing field") {
        format!("{message} (if pages may leave it out, give it `#[serde(default)]` or make it an `Option`)")
    } else {
        message
    }
}

impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequest<S> for ReadSignals<T> {
    type Rejection = ReadSignalsRejection;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if !req.headers().contains_key(DATASTAR_REQUEST) {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

/// The percent-decoded value of the `datastar` query parameter.
fn query_param(query: &str, limit: usize) -> Result<String, ReadSignalsRejection> {
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("datastar="))
        .ok_or(ReadSignalsRejection::MissingQuery)?;
    if raw.len() > limit.saturating_mul(3) {
        return Err(ReadSignalsRejection::TooLarge { limit });
    }
    let plus_decoded = raw.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&plus_decoded)
        .decode_utf8()
        .map_err(|_| ReadSignalsRejection::InvalidQueryEncoding)?;
    if decoded.len() > limit {
        return Err(ReadSignalsRejection::TooLarge { limit });
    }
    Ok(decoded.into_owned())
}

fn parse<T: DeserializeOwned>(json: &[u8]) -> Result<T, ReadSignalsRejection> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            ReadSignalsRejection::InvalidSignals {
                path,
                message: hint(inner.to_string()),
            }
        } else {
            ReadSignalsRejection::InvalidJson(inner.to_string())
        }
    })?;
    de.end()
        .map_err(|e| ReadSignalsRejection::InvalidJson(e.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameter_is_decoded_strictly() {
        assert_eq!(
            query_param("a=1&datastar=%7B%22x%22%3A1%7D", 100).unwrap(),
            "{\"x\":1}"
        );
        assert_eq!(query_param("datastar=a+b", 100).unwrap(), "a b");
        assert!(matches!(
            query_param("x=1", 100),
            Err(ReadSignalsRejection::MissingQuery)
        ));
        assert!(matches!(
            query_param("datastar=%FF", 100),
            Err(ReadSignalsRejection::InvalidQueryEncoding)
        ));
        assert!(matches!(
            query_param("datastar=aaaa", 2),
            Err(ReadSignalsRejection::TooLarge { .. })
        ));
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Form {
        form: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    #[test]
    fn errors_name_the_field_or_position() {
        match parse::<Form>(br#"{"form":{"email":3}}"#) {
            Err(ReadSignalsRejection::InvalidSignals { path, .. }) => {
                assert_eq!(path, "form.email")
            }
            other => panic!("{other:?}"),
        }
        match parse::<Form>(br#"{"form":{}}"#) {
            Err(ReadSignalsRejection::InvalidSignals { path, message }) => {
                assert_eq!(path, "form");
                assert!(message.contains("email"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match parse::<Form>(b"{\"form\":") {
            Err(ReadSignalsRejection::InvalidJson(m)) => assert!(m.contains("line 1"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse::<serde_json::Value>(b"{} x"),
            Err(ReadSignalsRejection::InvalidJson(_))
        ));
        let deep = "[".repeat(10_000);
        assert!(matches!(
            parse::<serde_json::Value>(deep.as_bytes()),
            Err(ReadSignalsRejection::InvalidJson(_))
        ));
    }
}
