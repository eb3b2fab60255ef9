//! `datastar-patch-signals`: a JSON merge patch (RFC 7386) of the page's signals.

use bytes::BytesMut;

use super::{lines, meta_methods, Event, EventError, EventErrorKind, Meta};
use crate::signals::Signals;

/// A `datastar-patch-signals` event: [`PatchSignals::new`] (a signals type),
/// [`PatchSignals::raw`] (JSON text) or [`PatchSignals::remove`] (paths).
///
/// ```
/// use nitro::prelude::*;
/// let e = PatchSignals::new(&serde_json::json!({ "count": 3 })).only_if_missing(true);
/// assert_eq!(e.encode().unwrap(), "event: datastar-patch-signals\ndata: onlyIfMissing true\ndata: signals {\"count\":3}\n\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchSignals {
    json: Result<String, (EventErrorKind, String)>,
    only_if_missing: bool,
    pub(crate) meta: Meta,
}

impl PatchSignals {
    /// Patches signals with a signals type (serialized as compact JSON): a struct deriving
    /// `Signals`, its partial patch (`Counter::patch().count(3)`), or untyped JSON
    /// (`serde_json::json!`). Fields set to `null` are removed in the browser; fields left out are
    /// kept.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchSignals::new(&serde_json::json!({ "count": 3 }));
    /// assert_eq!(e.encode().unwrap(), "event: datastar-patch-signals\ndata: signals {\"count\":3}\n\n");
    /// ```
    pub fn new<T: Signals + ?Sized>(signals: &T) -> PatchSignals {
        PatchSignals {
            json: serde_json::to_string(signals)
                .map_err(|e| (EventErrorKind::Serialize, e.to_string())),
            only_if_missing: false,
            meta: Meta::default(),
        }
    }

    /// Patches signals with JSON text, sent line by line as given. It must be a JSON object;
    /// anything else makes encoding fail.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchSignals::raw("{\"a\":\n1}");
    /// assert_eq!(e.encode().unwrap(), "event: datastar-patch-signals\ndata: signals {\"a\":\ndata: signals 1}\n\n");
    /// ```
    pub fn raw(json: impl Into<String>) -> PatchSignals {
        let json = json.into();
        let checked =
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&json) {
                Ok(_) => Ok(json),
                Err(e) => Err((EventErrorKind::InvalidJson, e.to_string())),
            };
        PatchSignals {
            json: checked,
            only_if_missing: false,
            meta: Meta::default(),
        }
    }

    /// Removes signals by path (`"form.email"` removes `email` inside `form`): a merge patch of
    /// `null`s.
    ///
    /// A path with an empty name (`""`, `a..b`, `.a`) would remove nothing: encoding it fails
    /// with [`EventErrorKind::InvalidArgument`] and nothing is sent.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::sse::EventErrorKind;
    /// let e = PatchSignals::remove(["one", "two.alpha"]);
    /// assert_eq!(e.encode().unwrap(), "event: datastar-patch-signals\ndata: signals {\"one\":null,\"two\":{\"alpha\":null}}\n\n");
    /// assert_eq!(PatchSignals::remove([""]).to_bytes().unwrap_err().kind(), EventErrorKind::InvalidArgument);
    /// ```
    pub fn remove<I, S>(paths: I) -> PatchSignals
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut root = serde_json::Map::new();
        for path in paths {
            let path = path.as_ref();
            if path.split('.').any(str::is_empty) {
                return PatchSignals {
                json: Err((
                    EventErrorKind::InvalidArgument,
                    format!("PatchSignals::remove: `{path}` is not a signal path (empty name); write `name` or `parent.child`"),
                )),
                only_if_missing: false,
                meta: Meta::default(),
            };
            }
            let mut node = &mut root;
            let mut segments = path.split('.').peekable();
            while let Some(seg) = segments.next() {
                if segments.peek().is_none() {
                    node.insert(seg.to_owned(), serde_json::Value::Null);
                    break;
                }
                let entry = node
                    .entry(seg.to_owned())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
                if !entry.is_object() {
                    // The parent itself is being removed: nothing below it to add.
                    break;
                }
                node = entry.as_object_mut().expect("checked above");
            }
        }
        PatchSignals {
            json: serde_json::to_string(&root)
                .map_err(|e| (EventErrorKind::Serialize, e.to_string())),
            only_if_missing: false,
            meta: Meta::default(),
        }
    }

    /// Only sets signals that do not exist yet in the browser.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = PatchSignals::new(&serde_json::json!({"a": 1})).only_if_missing(true);
    /// assert!(e.encode().unwrap().contains("data: onlyIfMissing true\n"));
    /// ```
    pub fn only_if_missing(mut self, yes: bool) -> Self {
        self.only_if_missing = yes;
        self
    }

    meta_methods!();
}

impl PatchSignals {
    /// The event as a plain `application/json` response: its headers and body.
    #[cfg(feature = "axum")]
    pub(crate) fn plain_parts(self) -> Result<super::patch_elements::PlainParts, EventError> {
        let json = self
            .json
            .map_err(|(kind, detail)| EventError::new(kind, detail))?;
        let mut headers = Vec::new();
        if self.only_if_missing {
            headers.push(("datastar-only-if-missing", "true".to_owned()));
        }
        Ok((headers, json))
    }
}

impl Event for PatchSignals {
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        self.meta.check()?;
        let json = self
            .json
            .as_ref()
            .map_err(|(kind, detail)| EventError::new(*kind, detail.clone()))?;
        self.meta.head(buf, "datastar-patch-signals");
        if self.only_if_missing {
            lines::write_data(buf, "onlyIfMissing", "true");
        }
        lines::write_data(buf, "signals", json);
        lines::write_end(buf);
        Ok(())
    }
}
