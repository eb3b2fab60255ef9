//! Markup tree -> Rust code. Static text is escaped at compile time and merged into as few
//! `push_str` literals as possible; each dynamic value is written by a helper chosen from its
//! context (text, attribute, URL attribute, Datastar expression, raw-text element).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::ast::*;
use crate::context::{dynamic_context, is_one_of, ValueContext, RAW_TEXT};

struct Generator {
    /// The `nitro::__private::Writer` the code appends through.
    buf: Ident,
    tail: String,
    stmts: Vec<TokenStream>,
    static_len: usize,
    /// The element whose attributes are being written (lowercase).
    element: String,
}

impl Generator {
    fn new(buf: Ident) -> Self {
        Generator {
            buf,
            tail: String::new(),
            stmts: Vec::new(),
            static_len: 0,
            element: String::new(),
        }
    }

    fn text(&mut self, s: &str) {
        self.tail.push_str(s);
        self.static_len += s.len();
    }

    fn cut(&mut self) {
        if !self.tail.is_empty() {
            let buf = &self.buf;
            let lit = std::mem::take(&mut self.tail);
            self.stmts.push(push_lit(buf, &lit));
        }
    }

    fn code(&mut self, ts: TokenStream) {
        self.cut();
        self.stmts.push(ts);
    }

    fn finish(mut self) -> TokenStream {
        self.cut();
        self.stmts.into_iter().collect()
    }

    /// Generates `block` as a separate statement list (the body of an `if`, a loop, …).
    fn sub(&mut self, block: &Block, raw: Option<&str>) -> TokenStream {
        let mut g = Generator::new(self.buf.clone());
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
                let ts = match raw {
                    Some(_) => {
                        let sbuf = string_buf();
                        quote_spanned!(s.span=> #buf.with_string(|#sbuf| ::nitro::__private::render_script(&(#expr), #sbuf));)
                    }
                    None => {
                        // `Render` when the value has it, else `Display` (escaped); see
                        // `nitro_runtime::splice`.
                        let v = Ident::new("__nitro_splice", s.span);
                        quote_spanned!(s.span=> {
                            #[allow(unused_imports)]
                            use ::nitro::__private::{ViaDisplay as _, ViaRender as _};
                            let #v = &(#expr);
                            (&&::nitro::__private::Splice(#v)).nitro_splice_tag().write(#v, &mut #buf);
                        })
                    }
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
        let mut classes_done = false;
        for attr in &el.attrs {
            match attr {
                Attr::Id { value, .. } => self.attr_value("id", value, ValueContext::Id),
                Attr::Class { .. } if classes_done => {}
                Attr::Class { .. } => {
                    classes_done = true;
                    self.classes(el);
                }
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
        let w = &self.buf;
        if ctx == ValueContext::Attribute {
            // Numbers and strings write straight through the writer.
            return quote_spanned!(span=> ::nitro::__private::render_attr_w(&(#expr), &mut #w););
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
                quote_spanned!(span=> {
                    #[allow(unused_imports)]
                    use ::nitro::__private::{ExprViaCode as _, ExprViaJson as _};
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
                self.text(&format!(
                    " {name}=\"{}\"",
                    html_escape::encode_quoted_attribute(v)
                ));
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
            AttrValue::Toggle(s) => {
                let expr = &s.expr;
                let lit = format!(" {name}");
                self.static_len += lit.len();
                let push = push_lit(&buf, &lit);
                self.code(quote_spanned!(s.span=> if #expr { #push }));
            }
        }
    }

    /// All `.class` shorthands of an element, merged into one `class` attribute. When every
    /// class is toggled (`.a[cond]`), the attribute is written only if one of them is on.
    fn classes(&mut self, el: &Element) {
        let buf = self.buf.clone();
        let parts: Vec<(&AttrValue, &Option<TokenStream>)> = el
            .attrs
            .iter()
            .filter_map(|a| match a {
                Attr::Class { value, toggle, .. } => Some((value, toggle)),
                _ => None,
            })
            .collect();
        if let [(AttrValue::Static(v, _), Some(toggle))] = parts.as_slice() {
            // One toggled class (`li.active[cond]`): the whole attribute is one literal.
            let lit = format!(" class=\"{}\"", html_escape::encode_quoted_attribute(v));
            self.static_len += lit.len();
            let push = push_lit(&buf, &lit);
            self.code(quote!(if #toggle { #push }));
            return;
        }
        if parts.iter().all(|(_, toggle)| toggle.is_some()) {
            let open = Ident::new("__nitro_class_open", Span::mixed_site());
            let mut body = Vec::new();
            for (value, toggle) in &parts {
                let write = match value {
                    AttrValue::Static(v, _) => {
                        let lit = html_escape::encode_quoted_attribute(v).into_owned();
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
                    self.text(&html_escape::encode_quoted_attribute(v));
                }
                (AttrValue::Static(v, _), Some(cond)) => {
                    let lit = format!("{sep}{}", html_escape::encode_quoted_attribute(v));
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

/// The whole template as an expression of type `nitro::Template<impl Fn(&mut String)>`.
///
/// The closure is `move`, but unless the template says `move` itself, the locals it names are
/// first re-bound as copies or references (see [`crate::capture`]), so the caller keeps them.
pub fn generate(block: &Block, checks: TokenStream, moves: bool) -> TokenStream {
    let buf = Ident::new("__nitro_w", Span::mixed_site());
    let mut g = Generator::new(buf.clone());
    g.nodes(block, None);
    let size = g.static_len;
    let body = g.finish();
    let (rebind, prelude, body) = match (moves, crate::capture::analyze(&body)) {
        (false, Some((free, body))) => (
            crate::capture::rebind(&free),
            crate::capture::body_prelude(&free),
            body,
        ),
        _ => (TokenStream::new(), TokenStream::new(), body),
    };
    let roots = match root_ids(block) {
        Roots::Missing => quote!(::nitro::__private::ROOT_IDS_MISSING),
        Roots::All => quote!(::nitro::__private::ROOT_IDS_ALL),
        Roots::Unknown => quote!(::nitro::__private::ROOT_IDS_UNKNOWN),
    };
    let namespace = match root_namespace(block) {
        Some("svg") => quote!(::nitro::__private::NAMESPACE_SVG),
        Some("math") => quote!(::nitro::__private::NAMESPACE_MATHML),
        _ => quote!(::nitro::__private::NAMESPACE_HTML),
    };
    let last_size = Ident::new("__NITRO_LAST_SIZE", Span::mixed_site());
    let sbuf = string_buf();
    quote! {{
        #checks
        static #last_size: ::core::sync::atomic::AtomicUsize = ::core::sync::atomic::AtomicUsize::new(0);
        #rebind
        ::nitro::__private::TemplateBuilder::<_, { #roots }, { #namespace }>::with_root_ids(#size, &#last_size, move |#sbuf: &mut ::std::string::String| {
            #prelude
            #[allow(unused_mut)]
            let mut #buf = ::nitro::__private::Writer::new(#sbuf);
            let _ = &mut #buf;
            #body
        })
    }}
}

/// An attribute or class value written as markup (`{ "a-" (b) }`, `@if ..`): a template of its
/// own, rendered in place (so it borrows what it names) and written as one dynamic value.
pub fn nested_template(block: &Block) -> TokenStream {
    let buf = Ident::new("__nitro_w", Span::mixed_site());
    let mut g = Generator::new(buf.clone());
    g.nodes(block, None);
    let size = g.static_len;
    let body = g.finish();
    let sbuf = string_buf();
    quote! {
        ::nitro::__private::TemplateBuilder::new(#size, |#sbuf: &mut ::std::string::String| {
            #[allow(unused_mut)]
            let mut #buf = ::nitro::__private::Writer::new(#sbuf);
            let _ = &mut #buf;
            #body
        })
    }
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
        ::nitro::__private::TemplateBuilder::new(0, |_: &mut ::std::string::String| {})
    }}
}
