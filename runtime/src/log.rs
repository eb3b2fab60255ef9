//! Logging through `tracing` when the `tracing` feature is on (the default); nothing otherwise.
//! Every call site also bumps a counter in [`crate::stats`], so nothing is lost without a trace
//! even with the feature off.

// Without the axum integration, only the bus uses a part of this.
#![cfg_attr(not(feature = "axum"), allow(dead_code, unused_imports))]

#[cfg(feature = "tracing")]
macro_rules! warning {
    ($($t:tt)*) => { ::tracing::warn!($($t)*) };
}

#[cfg(feature = "tracing")]
macro_rules! debug {
    ($($t:tt)*) => { ::tracing::debug!($($t)*) };
}

#[cfg(feature = "tracing")]
macro_rules! error {
    ($($t:tt)*) => { ::tracing::error!($($t)*) };
}

#[cfg(not(feature = "tracing"))]
macro_rules! noop {
    ($($t:tt)*) => {{}};
}

#[cfg(feature = "tracing")]
pub(crate) use {debug, error, warning};
#[cfg(not(feature = "tracing"))]
pub(crate) use {noop as warning, noop as debug, noop as error};
