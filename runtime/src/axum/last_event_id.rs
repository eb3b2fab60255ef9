//! [`LastEventId`]: where a reconnecting browser's event stream left off.

use axum::extract::FromRequestParts;
use http::request::Parts;

/// The `Last-Event-ID` header a browser sends when it reconnects an SSE stream, as the
/// sequence number the bus gave the last event it received (`None` on a first connection or
/// for an id that is not a number). Pass it to `Bus::subscribe_after` to resume.
///
/// ```no_run
/// use axum::extract::State;
/// use nitro::axum::{LastEventId, Sse};
/// use nitro::sse::PatchSignals;
/// use nitro::bus::{Bus, BusError};
///
/// async fn feed(State(bus): State<Bus>, LastEventId(last): LastEventId) -> Result<Sse, BusError> {
///     Ok(bus.subscribe_after("news.>", last).await?.into_sse(|m| {
///         PatchSignals::new(&serde_json::json!({ "latest": m.topic() }))
///     }))
/// }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LastEventId(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(LastEventId(
            parts
                .headers
                .get("last-event-id")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok()),
        ))
    }
}
