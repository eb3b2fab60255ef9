//! The markup tree `parse` builds and `generate` walks. Types only.

use proc_macro2::{Span, TokenStream};
use syn::LitStr;

use crate::datastar::DatastarAttr;

/// The whole macro input: optional `move`, optional `@signals(..)` declarations, then the markup.
pub struct Template {
    /// `html! { move ... }`: the template takes the locals it names (no copy-or-borrow).
    pub moves: bool,
    /// The `@signals(..)` declarations.
    pub signals: Vec<SignalDecl>,
    /// The markup.
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
    /// The nodes in source order.
    pub nodes: Vec<Node>,
}

/// One node of the markup.
pub enum Node {
    /// `"text"`: escaped at compile time.
    Text(LitStr),
    /// `(expr)`: rendered through `Render`.
    Splice(Splice),
    /// `name attrs { children }` or `name attrs;`.
    Element(Element),
    /// `!DOCTYPE`
    Doctype,
    /// `{ ... }` grouping without an element.
    Group(Block),
    /// `@if cond { .. } @else ..`
    If(If),
    /// `@for pattern in iterator { .. }`
    For {
        /// `pattern in iterator`.
        head: TokenStream,
        /// The loop body.
        body: Block,
    },
    /// `@while cond { .. }`
    While {
        /// The condition (`let` patterns included).
        cond: TokenStream,
        /// The loop body.
        body: Block,
    },
    /// `@match expr { pattern => body, .. }`
    Match {
        /// The matched expression.
        expr: TokenStream,
        /// The arms.
        arms: Vec<Arm>,
    },
    /// `@let pattern = expr;`: the tokens between `@let` and `;`.
    Let(TokenStream),
}

/// A Rust expression spliced into the template, with the span of its parentheses.
pub struct Splice {
    /// The expression inside the delimiters.
    pub expr: TokenStream,
    /// The span of the delimiters.
    pub span: Span,
}

/// `@if cond { .. }` with its `@else` chain.
pub struct If {
    /// The condition (`let` patterns included).
    pub cond: TokenStream,
    /// The block when it holds.
    pub then: Block,
    /// `@else if ..` or `@else { .. }`.
    pub otherwise: Option<Else>,
}

/// What follows `@else`.
pub enum Else {
    /// `@else if ..`
    If(Box<If>),
    /// `@else { .. }`
    Block(Block),
}

/// One arm of `@match`.
pub struct Arm {
    /// The pattern (with any `if` guard).
    pub pat: TokenStream,
    /// Its body: a block, or one node.
    pub body: Block,
}

/// An element.
pub struct Element {
    /// The tag name (`div` for `.class` / `#id` shorthands).
    pub name: Name,
    /// Attributes and shorthands in source order.
    pub attrs: Vec<Attr>,
    /// `None` for a void element closed with `;`.
    pub body: Option<Block>,
}

/// A tag or attribute name with the span of its first token.
#[derive(Clone)]
pub struct Name {
    /// The name as written (pieces joined).
    pub text: String,
    /// Span of its first token.
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

/// An attribute, or a `#id` / `.class` shorthand.
pub enum Attr {
    /// `#id` / `#"id"` / `#(expr)`
    Id {
        /// The id.
        value: AttrValue,
        /// The span of `#`.
        span: Span,
    },
    /// `.class` / `.(expr)`, optionally toggled with `[cond]`.
    Class {
        /// The class.
        value: AttrValue,
        /// `[cond]`: written only when it holds.
        toggle: Option<TokenStream>,
        /// The span of `.`.
        span: Span,
    },
    /// `name`, `name="v"`, `name=(e)`, `name=[opt]`, `name[cond]`.
    Named {
        /// Its name.
        name: AttrName,
        /// Its value.
        value: AttrValue,
    },
}

/// How an attribute name was written.
pub enum AttrName {
    /// An ordinary HTML attribute.
    Plain(Name),
    /// A `data-*` attribute understood as Datastar syntax.
    Datastar(Name, DatastarAttr),
    /// A quoted name: written as given, never interpreted (the escape hatch for plain `data-*`).
    Quoted(Name),
}

impl AttrName {
    /// The name, however it was written.
    pub fn name(&self) -> &Name {
        match self {
            AttrName::Plain(n) | AttrName::Datastar(n, _) | AttrName::Quoted(n) => n,
        }
    }
}

/// An attribute value.
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
