//! Templates: syntax, escaping, guards, the maud-compatible surface, signals and routes (one test binary: these tests share no process-wide state).

mod compose;
mod datastar_attrs;
mod escaping;
mod formatted;
mod guards;
mod html_syntax;
mod maud_compat;
mod routes;
mod signals;
mod xss;
