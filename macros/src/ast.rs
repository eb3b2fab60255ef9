//! The markup tree `parse` builds and `generate` walks. Types only.

use proc_macro2::{Span, TokenStream};
use syn::LitStr;

use crate::datastar::DatastarAttr;

/// The whole macro input: optional `move`, optional `@signals(..)` declarations, then the markup.
pub struct Template {
    /// `html! { move ... }`: the template takes the locals it names (no copy-or-borrow).
    pub moves: bool,
    pub signals: Vec<SignalDecl>,
    pub body: Block,
}

/// One entry of `@signals(Counter, "jsOnly")`.
pub enum SignalDecl {
    /// A type deriving `Signals`; references are checked against its fields.
    Type(syn::Path),
    /// A name only JavaScript defines: accepted as is (with any sub-path).
    Name(LitStr),
}

/// A sequence of nodes: the macro input, or the inside of `{ ... }`.
pub struct Block {
    pub nodes: Vec<Node>,
}

pub enum Node {
    /// `"text"`: escaped at compile time.
    Text(LitStr),
    /// `(expr)`: rendered through `Render`.
    Splice(Splice),
    Element(Element),
    /// `!DOCTYPE`
    Doctype,
    /// `{ ... }` grouping without an element.
    Group(Block),
    If(If),
    For {
        head: TokenStream,
        body: Block,
    },
    While {
        cond: TokenStream,
        body: Block,
    },
    Match {
        expr: TokenStream,
        arms: Vec<Arm>,
    },
    Let(TokenStream),
}

/// A Rust expression spliced into the template, with the span of its parentheses.
pub struct Splice {
    pub expr: TokenStream,
    pub span: Span,
}

pub struct If {
    pub cond: TokenStream,
    pub then: Block,
    pub otherwise: Option<Else>,
}

pub enum Else {
    If(Box<If>),
    Block(Block),
}

pub struct Arm {
    pub pat: TokenStream,
    pub body: Block,
}

pub struct Element {
    pub name: Name,
    pub attrs: Vec<Attr>,
    /// `None` for a void element closed with `;`.
    pub body: Option<Block>,
}

/// A tag or attribute name with the span of its first token.
#[derive(Clone)]
pub struct Name {
    pub text: String,
    pub span: Span,
    /// Span of the name's last token, so errors underline all of `data-on:click__once`.
    pub end: Span,
}

impl Name {
    /// The tokens of the whole name, for errors that should underline all of it.
    pub fn tokens(&self) -> proc_macro2::TokenStream {
        let mut a = proc_macro2::Punct::new('<', proc_macro2::Spacing::Alone);
        a.set_span(self.span);
        let mut b = proc_macro2::Punct::new('>', proc_macro2::Spacing::Alone);
        b.set_span(self.end);
        [proc_macro2::TokenTree::from(a), b.into()]
            .into_iter()
            .collect()
    }
}

pub enum Attr {
    /// `#id` / `#"id"` / `#(expr)`
    Id { value: AttrValue, span: Span },
    /// `.class` / `.(expr)`, optionally toggled with `[cond]`.
    Class {
        value: AttrValue,
        toggle: Option<TokenStream>,
        span: Span,
    },
    /// `name`, `name="v"`, `name=(e)`, `name=[opt]`, `name[cond]`.
    Named { name: AttrName, value: AttrValue },
}

pub enum AttrName {
    /// An ordinary HTML attribute.
    Plain(Name),
    /// A `data-*` attribute understood as Datastar syntax.
    Datastar(Name, DatastarAttr),
    /// A quoted name: written as given, never interpreted (the escape hatch for plain `data-*`).
    Quoted(Name),
}

impl AttrName {
    pub fn name(&self) -> &Name {
        match self {
            AttrName::Plain(n) | AttrName::Datastar(n, _) | AttrName::Quoted(n) => n,
        }
    }
}

pub enum AttrValue {
    /// No value: a boolean attribute.
    Empty,
    /// A literal string (or a name written without quotes, for `#id` / `.class`).
    Static(String, Span),
    /// `(expr)`
    Dynamic(Splice),
    /// `[expr]` holding an `Option`: the attribute is written only for `Some`.
    Optional(Splice),
    /// `name[cond]`: a boolean attribute written only when `cond` is true.
    Toggle(Splice),
}
