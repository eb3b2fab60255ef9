//! `expr!`'s proof (`macros/src/expr/`), compiled into the browser safety suite so its
//! generated code shapes go through exactly what the macro runs.
#![allow(dead_code)]

#[path = "../../macros/src/expr/client.rs"]
pub mod client;
#[path = "../../macros/src/expr/lexer.rs"]
pub mod lexer;
#[path = "../../macros/src/expr/proof.rs"]
pub mod proof;
