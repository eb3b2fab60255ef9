//! Markup tree -> Rust code. Static text is escaped at compile time and merged into as few
//! `push_str` literals as possible; each dynamic value is written by a helper chosen from its
//! context (text, attribute, URL attribute, Datastar expression, raw-text element).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::ast::*;
use crate::context::{dynamic_context, is_one_of, ValueContext, RAW_TEXT};

/// `Generator::uses`: the template writes a `(splice)` in text.
const USES_SPLICE: u8 = 1;
/// `Generator::uses`: the template writes a value into a Datastar expression.
const USES_EXPR: u8 = 2;

/// Whether straight runs are written with one reservation each (see `Generator::cut`): when
/// the macro itself is built without debug assertions. Cargo builds a proc macro with the
/// `debug-assertions` setting of the profile it builds the crate for (`build-override`
/// inherits it), so this is the user's optimized build. Both forms write the same bytes and
/// both are safe (the writer checks every reserved write against the reservation, `writer`,
/// "Reserved runs"); the choice is only what each profile pays for: the reserved form renders
/// with fewer instructions, the checked form is about a quarter cheaper to compile, which a
/// dev build pays on every save (`benches/benches/compile.rs`). Emitting both under `cfg`
/// made rustc receive and parse both.
pub(crate) const RESERVED_RUNS: bool = !cfg!(debug_assertions);

struct Generator {
    /// The `nitro::__private::Writer` the code appends through.
    buf: Ident,
    /// Which dispatch traits the body needs in scope (`USES_*`), imported once at its top
    /// rather than at each splice: less code for rustc to read back and check. Shared with the
    /// sub-generators of nested blocks.
    uses: std::rc::Rc<std::cell::Cell<u8>>,
    /// Generating the *shadow* of the body for the capture analysis: the same Rust structure
    /// (`for`, `if`, `match`, `let`) and every user expression, but no writes (static text is
    /// dropped, each value is `let _ = &(value);`). Reading that back is far cheaper than
    /// reading the whole body (see `generate`).
    shadow: bool,
    /// The writes since the last Rust statement: a straight run, written with one capacity
    /// check when it has more than one write and a value (see `cut`).
    run: Vec<RunItem>,
    stmts: Vec<TokenStream>,
    static_len: usize,
    /// The element whose attributes are being written (lowercase).
    element: String,
}

impl Generator {
    fn new(buf: Ident) -> Self {
        Generator {
            buf,
            uses: Default::default(),
            shadow: false,
            run: Vec::new(),
            stmts: Vec::new(),
            static_len: 0,
            element: String::new(),
        }
    }

    fn text(&mut self, s: &str) {
        self.static_len += s.len();
        if let Some(RunItem::Text(t)) = self.run.last_mut() {
            t.push_str(s);
        } else if !s.is_empty() {
            self.run.push(RunItem::Text(s.to_string()));
        }
    }

    /// `if cond { <lit> }` (a toggled attribute or class), in the run when `cond` is a plain
    /// read (see `is_plain`).
    fn toggle(&mut self, cond: &TokenStream, span: Span, lit: String) {
        self.static_len += lit.len();
        if self.shadow || !is_plain(cond) || lit.contains(['\n', '\r']) {
            let push = push_lit(&self.buf, &lit);
            return self.code(quote_spanned!(span=> if #cond { #push }));
        }
        self.run.push(RunItem::Toggle {
            cond: cond.clone(),
            span,
            lit,
        });
    }

    /// Ends the run: writes it out as statements. When the macro is built without debug
    /// assertions ([`RESERVED_RUNS`]), a run of more than one write with a value or a toggle in
    /// it becomes one block that evaluates its values first (they are plain reads, `is_plain`:
    /// the order is not observable), reserves the static bytes plus each value's largest length
    /// once, then writes without further checks (`nitro_runtime::writer`, "Reserved runs").
    /// Anything else, and every run in the dev profile, is one checked write each.
    fn cut(&mut self) {
        let run = std::mem::take(&mut self.run);
        if self.shadow {
            return;
        }
        let buf = self.buf.clone();
        let dynamic = run.iter().any(|i| !matches!(i, RunItem::Text(_)));
        let breaks = run.iter().any(|i| match i {
            RunItem::Text(t) | RunItem::Toggle { lit: t, .. } => t.contains(['\n', '\r']),
            RunItem::Value { .. } => false,
        });
        if !RESERVED_RUNS || !dynamic || run.len() < 2 || breaks {
            // One checked write each.
            for item in &run {
                let write = match item {
                    RunItem::Text(t) => push_lit(&buf, t),
                    RunItem::Value { expr, span } => self.splice(expr, *span),
                    RunItem::Toggle { cond, span, lit } => {
                        let push = push_lit(&buf, lit);
                        quote_spanned!(*span=> if #cond { #push })
                    }
                };
                self.stmts.push(write);
            }
            return;
        }
        let mut lets = Vec::new();
        let mut writes = Vec::new();
        let mut maxes = Vec::new();
        let mut fixed = 0usize;
        for item in run {
            match item {
                RunItem::Text(t) => {
                    fixed += t.len();
                    writes.push(quote!(#buf.push_reserved(#t);));
                }
                RunItem::Toggle { cond, span, lit } => {
                    fixed += lit.len();
                    writes.push(quote_spanned!(span=> #buf.push_reserved_if(#cond, #lit);));
                }
                RunItem::Value { expr, span } => {
                    let i = lets.len();
                    let v = Ident::new(&format!("__nitro_v{i}"), span);
                    let t = Ident::new(&format!("__nitro_t{i}"), span);
                    lets.push(quote_spanned!(span=>
                        let #v = &(#expr);
                        let #t = (&&&::nitro::__private::Splice(#v)).nitro_splice_tag();
                    ));
                    maxes.push(quote!(+ #t.max()));
                    writes.push(quote_spanned!(span=> #t.write_in_run(#v, #buf);));
                }
            }
        }
        self.uses.set(self.uses.get() | USES_SPLICE);
        self.stmts.push(quote! {{
            // A run's values resolve among three traits (`Bounded` first), on `&&&Splice`.
            #[allow(unused_imports)]
            use ::nitro::__private::{ViaBounded as _, ViaDisplay as _, ViaRender as _};
            #(#lets)*
            #buf.reserve(#fixed #(#maxes)*);
            #(#writes)*
        }});
    }

    /// A `(value)` in text, written on its own (outside a reserved run).
    fn splice(&self, expr: &TokenStream, span: Span) -> TokenStream {
        // `Render` when the value has it, else `Display` (escaped); see
        // `nitro_runtime::splice`.
        let buf = &self.buf;
        let v = Ident::new("__nitro_splice", span);
        self.uses.set(self.uses.get() | USES_SPLICE);
        quote_spanned!(span=> {
            let #v = &(#expr);
            ::nitro::__private::Splice(#v).nitro_tag().write(#v, #buf);
        })
    }

    fn code(&mut self, ts: TokenStream) {
        self.cut();
        self.stmts.push(ts);
    }

    fn finish(mut self) -> TokenStream {
        self.cut();
        self.stmts.into_iter().collect()
    }

    /// The dispatch traits the body uses (see `uses`: known once the last run is written) and
    /// the body.
    fn finish_with_traits(mut self) -> (Vec<&'static str>, TokenStream) {
        self.cut();
        let uses = self.uses.get();
        let mut traits = Vec::new();
        if uses & USES_SPLICE != 0 {
            traits.push("SpliceDisplay");
        }
        if uses & USES_EXPR != 0 {
            traits.extend(["ExprViaCode", "ExprViaJson"]);
        }
        (traits, self.stmts.into_iter().collect())
    }

    /// Generates `block` as a separate statement list (the body of an `if`, a loop, …).
    fn sub(&mut self, block: &Block, raw: Option<&str>) -> TokenStream {
        let mut g = Generator::new(self.buf.clone());
        g.uses = self.uses.clone();
        g.shadow = self.shadow;
        g.nodes(block, raw);
        self.static_len += g.static_len;
        g.finish()
    }

    fn nodes(&mut self, block: &Block, raw: Option<&str>) {
        for node in &block.nodes {
            self.node(node, raw);
        }
    }

    /// The inside of `{ ... }` (a group or an element body): a scope of its own, as in Rust, so
    /// an `@let` in it ends with it. Without an `@let` its text merges with the surroundings.
    fn scoped(&mut self, block: &Block, raw: Option<&str>) {
        if block.nodes.iter().any(|n| matches!(n, Node::Let(_))) {
            let body = self.sub(block, raw);
            self.code(quote!({ #body }));
        } else {
            self.nodes(block, raw);
        }
    }

    fn node(&mut self, node: &Node, raw: Option<&str>) {
        let buf = self.buf.clone();
        match node {
            Node::Text(lit) => {
                let v = lit.value();
                match raw {
                    Some(_) => self.text(&v),
                    None => self.text(&html_escape::encode_text(&v)),
                }
            }
            Node::Splice(s) => {
                let expr = &s.expr;
                if self.shadow {
                    return self.code(quote_spanned!(s.span=> let _ = &(#expr);));
                }
                let ts = match raw {
                    Some(_) => {
                        let sbuf = string_buf();
                        quote_spanned!(s.span=> #buf.with_string(|#sbuf| ::nitro::__private::render_script(&(#expr), #sbuf));)
                    }
                    None if is_plain(expr) => {
                        self.run.push(RunItem::Value {
                            expr: expr.clone(),
                            span: s.span,
                        });
                        return;
                    }
                    None => self.splice(expr, s.span),
                };
                self.code(ts);
            }
            Node::Doctype => self.text("<!DOCTYPE html>"),
            Node::Group(b) => self.scoped(b, raw),
            Node::Element(el) => self.element(el),
            Node::If(i) => {
                let ts = self.if_chain(i, raw);
                self.code(ts);
            }
            Node::For { head, body } => {
                let body = self.sub(body, raw);
                self.code(quote!(for #head { #body }));
            }
            Node::While { cond, body } => {
                let body = self.sub(body, raw);
                self.code(quote!(while #cond { #body }));
            }
            Node::Match { expr, arms } => {
                let arms: Vec<TokenStream> = arms
                    .iter()
                    .map(|a| {
                        let pat = &a.pat;
                        let body = self.sub(&a.body, raw);
                        quote!(#pat => { #body })
                    })
                    .collect();
                self.code(quote!(match #expr { #(#arms)* }));
            }
            Node::Let(tokens) => self.code(quote!(let #tokens;)),
        }
    }

    fn if_chain(&mut self, i: &If, raw: Option<&str>) -> TokenStream {
        let cond = &i.cond;
        let then = self.sub(&i.then, raw);
        let otherwise = match &i.otherwise {
            None => quote!(),
            Some(Else::Block(b)) => {
                let b = self.sub(b, raw);
                quote!(else { #b })
            }
            Some(Else::If(e)) => {
                let e = self.if_chain(e, raw);
                quote!(else #e)
            }
        };
        quote!(if #cond { #then } #otherwise)
    }

    fn element(&mut self, el: &Element) {
        let name = &el.name.text;
        self.element = name.to_ascii_lowercase();
        self.text("<");
        self.text(name);
        // maud's order: the `.class` shorthands (merged), the `#id` shorthand, then the other
        // attributes as written.
        if el.attrs.iter().any(|a| matches!(a, Attr::Class { .. })) {
            self.classes(el);
        }
        for attr in &el.attrs {
            if let Attr::Id { value, .. } = attr {
                self.attr_value("id", value, ValueContext::Id);
            }
        }
        for attr in &el.attrs {
            match attr {
                Attr::Id { .. } | Attr::Class { .. } => {}
                Attr::Named { name, value } => {
                    // Refusals were reported by `validate`; nothing is generated for them.
                    let ctx = dynamic_context(el, name).unwrap_or(ValueContext::Attribute);
                    // Literal code whose result becomes a URL or CSS (`data-attr:href="$link"`)
                    // gets the guard an `Expr` there gets: its result is data (a signal's value).
                    let guard = match ctx {
                        ValueContext::ExpressionUrl => Some(crate::expr::proof::GUARDS[0]),
                        ValueContext::ExpressionCss => Some(crate::expr::proof::GUARDS[1]),
                        _ => None,
                    };
                    match (value, guard) {
                        (AttrValue::Static(code, span), Some(guard))
                            if matches!(name, AttrName::Datastar(..)) =>
                        {
                            let guarded = AttrValue::Static(format!("{guard}{code})"), *span);
                            self.attr_value(&name.name().text, &guarded, ctx);
                        }
                        _ => self.attr_value(&name.name().text, value, ctx),
                    }
                }
            }
        }
        if el.body.is_none() && !crate::validate::is_void(name) {
            // An SVG or MathML element closed with `;` (`validate` allowed it): `<path .../>`.
            self.text("/>");
            return;
        }
        self.text(">");
        if let Some(body) = &el.body {
            let raw = RAW_TEXT
                .iter()
                .copied()
                .find(|r| r.eq_ignore_ascii_case(name));
            // The parser drops one newline right after these start tags: write one, so a
            // value that starts with a newline keeps it.
            if is_one_of(name, &["pre", "textarea", "listing"])
                && !matches!(body.nodes.first(), Some(Node::Text(t)) if !t.value().starts_with('\n'))
                && !body.nodes.is_empty()
            {
                self.text("\n");
            }
            self.scoped(body, raw);
            self.text("</");
            self.text(name);
            self.text(">");
        }
    }

    /// Writes a dynamic value: the helpers take the `String`, lent by the writer.
    fn write_value(&self, expr: &TokenStream, span: Span, ctx: ValueContext) -> TokenStream {
        if self.shadow {
            return quote_spanned!(span=> let _ = &(#expr););
        }
        let w = &self.buf;
        if ctx == ValueContext::Attribute {
            // Numbers and strings write straight through the writer.
            return quote_spanned!(span=> ::nitro::__private::render_attr_w(&(#expr), #w););
        }
        let buf = string_buf();
        let write = self.write_value_to_string(expr, span, ctx, &buf);
        quote_spanned!(span=> #w.with_string(|#buf: &mut ::std::string::String| { #write });)
    }

    fn write_value_to_string(
        &self,
        expr: &TokenStream,
        span: Span,
        ctx: ValueContext,
        buf: &Ident,
    ) -> TokenStream {
        match ctx {
            ValueContext::Attribute => {
                quote_spanned!(span=> ::nitro::__private::render_attr(&(#expr), #buf);)
            }
            ValueContext::Url => {
                quote_spanned!(span=> ::nitro::__private::render_url_attr(&(#expr), #buf);)
            }
            ValueContext::CodeUrl => {
                quote_spanned!(span=> ::nitro::__private::render_code_url(&(#expr), #buf);)
            }
            ValueContext::ExpressionId => {
                quote_spanned!(span=> ::nitro::__private::render_id_json(&(#expr), #buf);)
            }
            ValueContext::Id => {
                quote_spanned!(span=> ::nitro::__private::render_id(&(#expr), #buf);)
            }
            ValueContext::Css => {
                quote_spanned!(span=> ::nitro::__private::render_css_attr(&(#expr), #buf);)
            }
            ValueContext::Srcdoc => {
                quote_spanned!(span=> ::nitro::__private::render_srcdoc(&(#expr), #buf);)
            }
            ValueContext::Statement => {
                quote_spanned!(span=> ::nitro::__private::render_statement(&(#expr), #buf);)
            }
            ValueContext::AttrMap => {
                let element = &self.element;
                quote_spanned!(span=> ::nitro::__private::render_attr_map(&(#expr), #element, #buf);)
            }
            ValueContext::StyleMap => {
                quote_spanned!(span=> ::nitro::__private::render_style_map(&(#expr), #buf);)
            }
            ValueContext::Expression
            | ValueContext::ExpressionUrl
            | ValueContext::ExpressionCss => {
                let guard = match ctx {
                    ValueContext::ExpressionUrl => quote!(::nitro::__private::Guard::Url),
                    ValueContext::ExpressionCss => quote!(::nitro::__private::Guard::Css),
                    _ => quote!(::nitro::__private::Guard::None),
                };
                // Located at the splice (so a missing `Serialize` is reported there); the `__nitro_` prefix
                // keeps it out of the way of user names.
                let v = Ident::new("__nitro_expr", span);
                self.uses.set(self.uses.get() | USES_EXPR);
                quote_spanned!(span=> {
                    let #v = &(#expr);
                    (&&::nitro::__private::ExprSplice(#v)).nitro_expr_tag().write(#v, #guard, #buf);
                })
            }
        }
    }

    fn attr_value(&mut self, name: &str, value: &AttrValue, ctx: ValueContext) {
        let buf = self.buf.clone();
        match value {
            AttrValue::Empty => {
                self.text(" ");
                self.text(name);
            }
            AttrValue::Static(v, _) => {
                self.text(&format!(" {name}=\"{}\"", escape_static_attr(v)));
            }
            AttrValue::Dynamic(s) => {
                self.text(&format!(" {name}=\""));
                let w = self.write_value(&s.expr, s.span, ctx);
                self.code(w);
                self.text("\"");
            }
            AttrValue::Optional(s) => {
                let v = Ident::new("__nitro_value", Span::mixed_site());
                let w = self.write_value(&quote!(#v), s.span, ctx);
                let open = format!(" {name}=\"");
                let expr = &s.expr;
                self.static_len += open.len() + 1;
                self.code(quote_spanned!(s.span=>
                    if let ::core::option::Option::Some(#v) = &(#expr) {
                        #buf.push_static(#open);
                        #w
                        #buf.push_static("\"");
                    }
                ));
            }
            AttrValue::Toggle(s) => self.toggle(&s.expr, s.span, format!(" {name}")),
        }
    }

    /// All `.class` shorthands of an element, merged into one `class` attribute. When every
    /// class is toggled (`.a[cond]`), the attribute is written only if one of them is on.
    fn classes(&mut self, el: &Element) {
        let buf = self.buf.clone();
        let parts = class_parts(el);
        if let [(AttrValue::Static(v, _), Some(toggle))] = parts.as_slice() {
            // One toggled class (`li.active[cond]`): the whole attribute is one literal.
            let lit = format!(" class=\"{}\"", escape_static_attr(v));
            self.toggle(toggle, Span::call_site(), lit);
            return;
        }
        if parts.iter().all(|(_, toggle)| toggle.is_some()) {
            let open = Ident::new("__nitro_class_open", Span::mixed_site());
            let mut body = Vec::new();
            for (value, toggle) in &parts {
                let write = match value {
                    AttrValue::Static(v, _) => {
                        let lit = escape_static_attr(v);
                        self.static_len += lit.len() + 1;
                        push_lit(&buf, &lit)
                    }
                    AttrValue::Dynamic(s) => {
                        self.write_value(&s.expr, s.span, ValueContext::Attribute)
                    }
                    _ => continue,
                };
                body.push(quote!(if #toggle {
                    #buf.push_static(if #open { " " } else { " class=\"" });
                    #open = true;
                    #write
                }));
            }
            self.static_len += " class=\"\"".len();
            self.code(quote! {{
                let mut #open = false;
                #(#body)*
                if #open { #buf.push_static("\""); }
            }});
            return;
        }
        self.text(" class=\"");
        let mut first = true;
        for (value, toggle) in parts {
            let sep = if first { "" } else { " " };
            first = false;
            match (value, toggle) {
                (AttrValue::Static(v, _), None) => {
                    self.text(sep);
                    self.text(&escape_static_attr(v));
                }
                (AttrValue::Static(v, _), Some(cond)) => {
                    let lit = format!("{sep}{}", escape_static_attr(v));
                    self.static_len += lit.len();
                    let push = push_lit(&buf, &lit);
                    self.code(quote!(if #cond { #push }));
                }
                (AttrValue::Dynamic(s), None) => {
                    self.text(sep);
                    let w = self.write_value(&s.expr, s.span, ValueContext::Attribute);
                    self.code(w);
                }
                (AttrValue::Dynamic(s), Some(cond)) => {
                    let w = self.write_value(&s.expr, s.span, ValueContext::Attribute);
                    self.code(quote!(if #cond { #buf.push_static(#sep); #w }));
                }
                _ => {}
            }
        }
        self.text("\"");
    }
}

/// An element's `.class` shorthands (each value and its toggle) in the order they are written:
/// as maud, the classes always present first, then the toggled ones, each in source order.
pub(crate) fn class_parts(el: &Element) -> Vec<(&AttrValue, &Option<TokenStream>)> {
    let mut parts: Vec<(&AttrValue, &Option<TokenStream>)> = el
        .attrs
        .iter()
        .filter_map(|a| match a {
            Attr::Class { value, toggle, .. } => Some((value, toggle)),
            _ => None,
        })
        .collect();
    parts.sort_by_key(|(_, toggle)| toggle.is_some());
    parts
}

/// One write of a straight run (see `Generator::cut`).
enum RunItem {
    /// Static text, escaped.
    Text(String),
    /// A `(value)` in text whose expression is a plain read.
    Value { expr: TokenStream, span: Span },
    /// `lit` written when `cond` (a plain read) holds.
    Toggle {
        cond: TokenStream,
        span: Span,
        lit: String,
    },
}

/// Whether `expr` is a plain read: names, fields, literals, indexing and operators, with no
/// call, macro, block, closure body or `mut`. Evaluating such an expression before the static
/// text in front of it is not observable (it cannot write, and it reads nothing the writes
/// change), so a run may evaluate its values first and reserve for all of them at once.
/// Anything else keeps its place and ends the run.
fn is_plain(expr: &TokenStream) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    // Whether the previous token could be called or indexed (`f(..)`, `x.f::<T>(..)`).
    let mut callee = false;
    for tt in expr.clone() {
        match tt {
            TokenTree::Ident(id) => {
                let name = id.to_string();
                let keyword = matches!(
                    name.as_str(),
                    "as" | "async"
                        | "await"
                        | "box"
                        | "break"
                        | "const"
                        | "continue"
                        | "dyn"
                        | "else"
                        | "enum"
                        | "extern"
                        | "fn"
                        | "for"
                        | "if"
                        | "impl"
                        | "in"
                        | "let"
                        | "loop"
                        | "match"
                        | "mod"
                        | "move"
                        | "mut"
                        | "pub"
                        | "ref"
                        | "return"
                        | "static"
                        | "struct"
                        | "trait"
                        | "type"
                        | "unsafe"
                        | "use"
                        | "where"
                        | "while"
                        | "yield"
                );
                if keyword && name != "as" {
                    return false;
                }
                callee = name != "as";
            }
            TokenTree::Literal(_) => callee = true,
            TokenTree::Punct(p) => {
                match p.as_char() {
                    '.' | '&' | '*' | '+' | '-' | '/' | '%' | '=' | '<' | '>' | ':' | '^' | ','
                    | '|' => {}
                    // `name!(..)` is a macro; `!x` is a negation.
                    '!' if !callee => {}
                    _ => return false,
                }
                // `x.f::<T>(..)`: a call after a `>`.
                callee = p.as_char() == '>';
            }
            TokenTree::Group(g) => {
                match g.delimiter() {
                    Delimiter::Parenthesis if callee => return false,
                    Delimiter::Brace => return false,
                    _ => {}
                }
                if !is_plain(&g.stream()) {
                    return false;
                }
                callee = true;
            }
        }
    }
    true
}

/// The whole template as an expression of type
/// `nitro::Template<ByWriter<impl Fn(&mut Writer)>, R, N>` (`R`, `N`: what it saw of its top level).
///
/// The closure is `move`, but unless the template says `move` itself, the locals it names are
/// first re-bound as copies or references (see [`crate::capture`]), so the caller keeps them.
pub fn generate(block: &Block, checks: TokenStream, moves: bool) -> TokenStream {
    let buf = Ident::new("__nitro_w", Span::mixed_site());
    let mut g = Generator::new(buf.clone());
    g.nodes(block, None);
    let size = g.static_len;
    let (mut traits, body) = g.finish_with_traits();
    // A `move` template takes what it names: no analysis. Otherwise the locals are read off
    // the markup tree and its expressions' tokens (`capture::free_locals`) or, for shapes that
    // reading declines, off the body's shadow with `syn` (reading the whole body back was most
    // of the macro's time); the whole body is read only when it has a `&local` to flatten. The
    // shadow holds every token of the template's own Rust, so a `&local` in the body is one in
    // the shadow (the generated code never writes `&` before a user's name).
    let analyzed = if moves {
        None
    } else {
        let free = match crate::capture::free_locals(block) {
            Some(free) => Some((free.names, free.referenced)),
            None => {
                let shadow = shadow(block);
                crate::capture::analyze(&shadow).map(|(free, _)| {
                    let referenced = references_any(&shadow, &free);
                    (free, referenced)
                })
            }
        };
        match free {
            Some((free, false)) => Some((free, None)),
            Some(_) => crate::capture::analyze(&body).map(|(free, body)| (free, Some(body))),
            None => None,
        }
    };
    // The capture trait where locals are re-bound, the flattening traits where the analysis
    // rewrote the body: all imported with the body's dispatch traits, in one `use` above the
    // closure (which sees it).
    let (rebind, body) = match analyzed {
        Some((free, rewritten)) => {
            if !free.is_empty() {
                traits.push("CaptureRef");
                if rewritten.is_some() {
                    traits.extend(["FlatId", "FlatRef"]);
                }
            }
            (crate::capture::rebind(&free), rewritten.unwrap_or(body))
        }
        None => (TokenStream::new(), body),
    };
    let imports = use_traits(&traits);
    let roots = match root_ids(block) {
        Roots::Missing => quote!(::nitro::__private::TopIdsMissing),
        Roots::All => quote!(::nitro::__private::TopIdsAll),
        Roots::Unknown => quote!(::nitro::__private::TopIdsUnknown),
    };
    let namespace = match root_namespace(block) {
        Some("svg") => quote!(::nitro::__private::Svg),
        Some("math") => quote!(::nitro::__private::MathMl),
        _ => quote!(::nitro::__private::Html),
    };
    let closure = writer_closure(&buf, quote!(move), body);
    // Each call site remembers its last render's size in a `static`, so the next render
    // reserves its buffer once.
    let last_size = Ident::new("__NITRO_LAST_SIZE", Span::mixed_site());
    let build = quote! {
        static #last_size: ::core::sync::atomic::AtomicUsize = ::core::sync::atomic::AtomicUsize::new(0);
        ::nitro::__private::template::<_, #roots, #namespace>(#size, &#last_size, #closure)
    };
    quote! {{
        #checks
        #imports
        #rebind
        #build
    }}
}

/// One `use` of nitro's dispatch traits, imported once per template (anonymously) rather than at
/// each splice: less code for rustc to read back and check.
fn use_traits(names: &[&str]) -> TokenStream {
    if names.is_empty() {
        return TokenStream::new();
    }
    let names = names.iter().map(|n| Ident::new(n, Span::call_site()));
    quote! {
        #[allow(unused_imports)]
        use ::nitro::__private::{#(#names as _),*};
    }
}

/// The body's shadow (see `Generator::shadow`).
pub(crate) fn shadow(block: &Block) -> TokenStream {
    let mut g = Generator::new(Ident::new("__nitro_w", Span::mixed_site()));
    g.shadow = true;
    g.nodes(block, None);
    g.finish()
}

/// Whether `body` has `&name` for one of `names` anywhere (inside groups and macro arguments
/// too): a superset of the shape the capture analysis rewrites (`&name`, not `&mut name`).
fn references_any(body: &TokenStream, names: &[Ident]) -> bool {
    if names.is_empty() {
        return false;
    }
    let mut after_amp = false;
    for tt in body.clone() {
        match tt {
            proc_macro2::TokenTree::Punct(p) => after_amp = p.as_char() == '&',
            proc_macro2::TokenTree::Ident(id) => {
                if after_amp && names.contains(&id) {
                    return true;
                }
                after_amp = false;
            }
            proc_macro2::TokenTree::Group(g) => {
                if references_any(&g.stream(), names) {
                    return true;
                }
                after_amp = false;
            }
            proc_macro2::TokenTree::Literal(_) => after_amp = false,
        }
    }
    false
}

/// An attribute or class value written as markup (`{ "a-" (b) }`, `@if ..`): a template of its
/// own, rendered in place (so it borrows what it names) and written as one dynamic value.
pub fn nested_template(block: &Block) -> TokenStream {
    let buf = Ident::new("__nitro_w", Span::mixed_site());
    let mut g = Generator::new(buf.clone());
    g.nodes(block, None);
    let size = g.static_len;
    let (traits, body) = g.finish_with_traits();
    let imports = use_traits(&traits);
    let closure = writer_closure(&buf, TokenStream::new(), quote!(#imports #body));
    quote!(::nitro::__private::template_untracked(#size, #closure))
}

/// A template's closure over `body`, given the writer (`nitro::__private::ByWriter`): it owns
/// nothing to drop, and a template spliced into another writes on through the other's writer.
/// An optimized build's closure first moves the writer's state into a local of its own
/// (`Writer::in_local`: registers, whether or not the closure is inlined where it is called);
/// a debug build's writes through the pointer (one closure fewer to compile).
fn writer_closure(buf: &Ident, move_kw: TokenStream, body: TokenStream) -> TokenStream {
    let body = if RESERVED_RUNS {
        quote!(#buf.in_local(|#buf| { #body }))
    } else {
        quote!({ #body })
    };
    quote!(#move_kw |#buf: &mut ::nitro::__private::Writer<'_>| #body)
}

/// Appends static text through the writer: `push_static` when it has no line break, else
/// `push_static_lines` with the text as an SSE element patch carries it (each line break
/// `\n` + `data: elements `), so a template rendered into a patch needs no scan of its static
/// text (`nitro_runtime::writer`).
fn push_lit(buf: &Ident, lit: &str) -> TokenStream {
    if !lit.contains(['\n', '\r']) {
        return quote!(#buf.push_static(#lit););
    }
    let framed = lit
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\ndata: elements ");
    quote!(#buf.push_static_lines(#lit, #framed);)
}

/// A literal attribute value as maud writes it: `&`, `<`, `>` and `"` as entities, everything
/// else (`'` included: the value is always in double quotes) as written.
fn escape_static_attr(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The name of the `String` the writer lends to helpers (and the closure's parameter).
fn string_buf() -> Ident {
    Ident::new("__nitro_buf", Span::mixed_site())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Roots {
    /// Every top-level element has an id.
    All,
    /// Some top-level node certainly has none.
    Missing,
    /// Depends on a spliced component, or there is no element at all.
    Unknown,
}

/// Can this template be patched without a selector (does every top-level element have an id)?
fn root_ids(block: &Block) -> Roots {
    let mut seen_element = false;
    let mut unknown = false;
    let mut walk_result = Roots::All;
    let mut visit = |r: Roots| match r {
        Roots::Missing => walk_result = Roots::Missing,
        Roots::Unknown => unknown = true,
        Roots::All => {}
    };
    for node in &block.nodes {
        match node {
            Node::Text(lit) if lit.value().trim().is_empty() => {}
            Node::Text(_) | Node::Doctype => visit(Roots::Missing),
            Node::Element(el) => {
                seen_element = true;
                // `id=[opt]` and `id[cond]` may leave the id out: then only the rendered
                // HTML can tell (`All` is a proof the runtime relies on to skip its check).
                fn id(a: &Attr) -> Option<&AttrValue> {
                    match a {
                        Attr::Id { value, .. } => Some(value),
                        Attr::Named { name, value }
                            if name.name().text.eq_ignore_ascii_case("id") =>
                        {
                            Some(value)
                        }
                        _ => None,
                    }
                }
                let certain = el
                    .attrs
                    .iter()
                    .filter_map(id)
                    .any(|v| !matches!(v, AttrValue::Optional(_) | AttrValue::Toggle(_)));
                let maybe = el.attrs.iter().filter_map(id).next().is_some();
                visit(if certain {
                    Roots::All
                } else if maybe {
                    Roots::Unknown
                } else {
                    Roots::Missing
                });
            }
            Node::Splice(_) => visit(Roots::Unknown),
            Node::Let(_) => {}
            Node::Group(b) | Node::For { body: b, .. } | Node::While { body: b, .. } => {
                let r = root_ids(b);
                visit(r);
            }
            Node::If(i) => {
                let mut branch = Some(i);
                while let Some(i) = branch {
                    visit(root_ids(&i.then));
                    branch = match &i.otherwise {
                        Some(Else::If(e)) => Some(e),
                        Some(Else::Block(b)) => {
                            visit(root_ids(b));
                            None
                        }
                        None => None,
                    };
                }
            }
            Node::Match { arms, .. } => {
                for a in arms {
                    visit(root_ids(&a.body));
                }
            }
        }
    }
    if walk_result == Roots::Missing {
        Roots::Missing
    } else if unknown || !seen_element {
        Roots::Unknown
    } else {
        Roots::All
    }
}

/// `svg` or `math` when every top-level node is an element of that name (whitespace and `@let`
/// aside), so a patch of the template creates its elements in that namespace.
fn root_namespace(block: &Block) -> Option<&'static str> {
    let mut found = None;
    for node in &block.nodes {
        match node {
            Node::Text(lit) if lit.value().trim().is_empty() => {}
            Node::Let(_) => {}
            Node::Element(el) => {
                let name = ["svg", "math"]
                    .into_iter()
                    .find(|n| el.name.text.eq_ignore_ascii_case(n))?;
                if found.is_some_and(|f| f != name) {
                    return None;
                }
                found = Some(name);
            }
            _ => return None,
        }
    }
    found
}

/// What the macro expands to when the input had errors: the errors, and a value of the right
/// type so the caller's code reports nothing else.
pub fn skeleton(errors: TokenStream) -> TokenStream {
    quote! {{
        #errors
        ::nitro::__private::Template::new(0, |_: &mut ::std::string::String| {})
    }}
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;

    /// The locals read off the shadow are the ones the whole body names, in the same order.
    #[test]
    fn shadow_captures_what_the_body_captures() {
        let templates = [
            r#"p { (title) } @if featured { b { "f" } }"#,
            r#"ul { @for item in items { li.row[item.on] #(ID.with(item.id)) { (item.name) " " (n) } } }"#,
            r#"@let total = items.len() + extra; p title=(label) data-x=[maybe] { (total) }"#,
            r#"@match state { State::On(x) => { (x) (y) }, _ => "off" }"#,
            r#"p { (format!("{name} {}", other)) (items.iter().map(|i| i * k).sum::<u32>()) }"#,
            r#"a.(cls).b[on] href=(url) checked?[flag] { @while let Some(v) = it.next() { (v) } }"#,
            r#"@if let Some(u) = user { (u.name) } @else { (fallback) } (card(&title, count))"#,
            r#"p.{ "c-" (level) } title={ (a) @if b { "x" } } { (&name) (&&other) }"#,
            r#"@if let Some(name) = other { (name) } (name) @for name in names { (name) } (name)"#,
            r#"(vec![s.clone(); 2].len()) (matches!(x, Some(y) if y > z)) (json!({"k": v}))"#,
        ];
        for src in templates {
            let ts: TokenStream = src.parse().unwrap();
            let mut d = crate::diag::Diagnostics::default();
            let tpl = crate::parse::parse(ts, &mut d).unwrap_or_else(|_| panic!("{src}"));
            let mut g = super::Generator::new(proc_macro2::Ident::new(
                "__nitro_w",
                proc_macro2::Span::call_site(),
            ));
            g.nodes(&tpl.body, None);
            let body = g.finish();
            let analyzed = |ts: &TokenStream| -> Vec<proc_macro2::Ident> {
                crate::capture::analyze(ts)
                    .unwrap_or_else(|| panic!("{src}"))
                    .0
            };
            let names = |ids: &[proc_macro2::Ident]| -> Vec<String> {
                ids.iter().map(|i| i.to_string()).collect()
            };
            let free = analyzed(&body);
            let from_body = names(&free);
            assert!(!from_body.is_empty(), "{src}");
            let shadow = super::shadow(&tpl.body);
            assert_eq!(names(&analyzed(&shadow)), from_body, "{src}");
            // The markup reading answers as `syn` does where it answers.
            if let Some(fast) = crate::capture::free_locals(&tpl.body) {
                assert_eq!(names(&fast.names), from_body, "{src}");
                assert_eq!(
                    fast.referenced,
                    super::references_any(&body, &free),
                    "{src}"
                );
            }
            // `generate` looks for `&local` in the shadow instead of the body.
            assert_eq!(
                super::references_any(&shadow, &free),
                super::references_any(&body, &free),
                "{src}"
            );
        }
    }

    /// The markup reading (`capture::free_locals`) answers the common shapes (so it is what
    /// runs), the same as `syn` on the shadow, and declines the others.
    #[test]
    fn the_fast_reading_answers_common_shapes_as_syn_does() {
        let cases = [
            (r#"p { (title) } @if featured { b { "f" } }"#, true),
            (
                r#"ul { @for item in items { li.row[item.on] #(ID.with(item.id)) { (item.name) " " (n) } } }"#,
                true,
            ),
            (
                r#"@for i in 0..n { (i) (xs[i]) } @for (a, b) in pairs { (a) (b) (c) } (a)"#,
                true,
            ),
            (
                r#"@let total = items.len() + extra; p title=(label) data-x=[maybe] { (total) }"#,
                true,
            ),
            (
                r#"@let mut k: u32 = start; p { (k) } div { @let k = 2; (k) (j) }"#,
                true,
            ),
            (
                r#"@if let Some(u) = user { (u.name) } @else if x > 1 { (y) } @else { (fallback) } (u)"#,
                true,
            ),
            (
                r#"a.(cls).b[on] href=(url) checked?[flag] disabled[off] { (!done) (a == b) (-m) }"#,
                true,
            ),
            (
                r#"p { (card(&title, count)) (crate::x::y(z)) (Status::Open) (r#type) (t.0) }"#,
                true,
            ),
            (
                r#"@if let Some(name) = other { (name) } (name) @for name in names { (name) } (name)"#,
                true,
            ),
            (
                r#"@match state { State::On(x) => { (x) (y) }, _ => "off" }"#,
                false,
            ),
            (r#"p { (format!("{name} {}", other)) }"#, false),
            (r#"p { (items.iter().map(|i| i * k).sum::<u32>()) }"#, false),
            (r#"p { (xs.iter().sum::<u32>()) (f::<Vec<u8>>(v)) }"#, true),
            (
                r#"@for x in &items { (x) (&x) } (&name) p.(cls) title=(t) #(id) { (x) }"#,
                true,
            ),
            (r#"li.a.b[on].(c)[off] .d { (n) } p.x[y] { }"#, true),
            (
                r#"@if count != 0 && !done { (count) } @else if a!=b { (b) }"#,
                true,
            ),
            (
                r#"p { (x as u64) } @while let Some(v) = it.next() { (v) }"#,
                false,
            ),
            (r#"p title={ (a) @if b { "x" } } { (a) }"#, false),
        ];
        for (src, fast) in cases {
            let ts: TokenStream = src.parse().unwrap();
            let mut d = crate::diag::Diagnostics::default();
            let tpl = crate::parse::parse(ts, &mut d).unwrap_or_else(|_| panic!("{src}"));
            let shadow = super::shadow(&tpl.body);
            let names = |ids: Vec<proc_macro2::Ident>| -> Vec<String> {
                ids.iter().map(|i| i.to_string()).collect()
            };
            let by_syn = names(crate::capture::analyze(&shadow).unwrap().0);
            match crate::capture::free_locals(&tpl.body) {
                Some(free) => {
                    assert!(fast, "read without syn: {src}");
                    let referenced = super::references_any(&shadow, &free.names);
                    assert_eq!(names(free.names), by_syn, "{src}");
                    assert_eq!(free.referenced, referenced, "{src}");
                }
                None => assert!(!fast, "not read without syn: {src}"),
            }
        }
    }

    #[test]
    fn references_are_found_in_groups_and_not_behind_mut() {
        let names = [proc_macro2::Ident::new("x", proc_macro2::Span::call_site())];
        let has = |s: &str| super::references_any(&s.parse().unwrap(), &names);
        assert!(has("f(a, &x)"));
        assert!(has("{ [&x] }"));
        assert!(!has("f(&mut x, &(x), &y, x)"));
    }
}
