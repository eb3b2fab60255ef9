//! What `html!`'s expansion calls, re-exported in one place. Not a public API: no stability
//! promise.
#![allow(missing_docs)]

pub use crate::capture::{Capture, CaptureRef, Flat, FlatId, FlatRef};
pub use crate::compose::Code;
pub use crate::expr::{ExprBuilder, MacroProof};
pub use crate::guards::*;
pub use crate::html_borrows_this_local__write_html_move_to_take_it;
pub use crate::render::kind::*;
pub use crate::render::{
    template, template_untracked, Body, BodyRef, ByWriter, Template, WriteString, WriteWriter,
};
pub use crate::signal_check::{check_signal, shape_of, Msg};
pub use crate::splice::{Splice, SpliceDisplay, Spliceable, ViaBounded, ViaDisplay, ViaRender};
pub use crate::writer::Writer;
pub use crate::Render as RenderTrait;
pub use serde;
