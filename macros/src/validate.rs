//! Semantic rules on the parsed tree: void elements, duplicate attributes, Datastar value rules,
//! raw-text elements. Every violation is recorded; nothing aborts.

use std::collections::HashMap;

use crate::ast::*;
use crate::context::{dynamic_context, RAW_TEXT};
use crate::datastar::{KeyRule, ValueKind, ValueRule};
use crate::diag::Diagnostics;

/// Elements that never have children or a closing tag (shared with the runtime).
pub use nitro_syntax::tables::VOID_ELEMENTS as VOID;

/// Elements that start foreign content (SVG, MathML): inside them any element may end with `;`,
/// written `<name/>`, which the HTML parser reads as a closed element there.
pub const FOREIGN_ROOTS: &[&str] = &["svg", "math"];

/// SVG and MathML element names that are not HTML names: a template of such elements (an icon's
/// `path`s, spliced into an `svg` elsewhere) may close them with `;` too.
pub const FOREIGN_ELEMENTS: &[&str] = &[
    // SVG
    "animate",
    "animateMotion",
    "animateTransform",
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "foreignObject",
    "g",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "metadata",
    "mpath",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "set",
    "stop",
    "switch",
    "symbol",
    "text",
    "textPath",
    "tspan",
    "use",
    "view",
    // MathML
    "annotation",
    "annotation-xml",
    "maction",
    "menclose",
    "merror",
    "mfrac",
    "mi",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mspace",
    "msqrt",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
];

/// Is `name` (any case) a void HTML element?
pub fn is_void(name: &str) -> bool {
    VOID.iter().any(|v| v.eq_ignore_ascii_case(name))
}

pub fn validate(block: &Block, diags: &mut Diagnostics) {
    walk(block, diags, None, false);
    let mut ids = HashMap::new();
    duplicate_ids(block, &mut ids, diags);
}

/// An id may appear once per template: the same literal, or the same `#(expression)`, twice
/// is an error (an expression inside a loop counts once: it yields a different id each time).
fn duplicate_ids(
    block: &Block,
    seen: &mut HashMap<String, proc_macro2::Span>,
    diags: &mut Diagnostics,
) {
    for node in &block.nodes {
        match node {
            Node::Element(el) => {
                for attr in &el.attrs {
                    let (value, span) = match attr {
                        Attr::Id { value, span } => (value, *span),
                        Attr::Named { name, value }
                            if name.name().text.eq_ignore_ascii_case("id") =>
                        {
                            (value, name.name().span)
                        }
                        _ => continue,
                    };
                    let (key, shown, span) = match value {
                        AttrValue::Static(v, at) => (format!("lit:{v}"), format!("`{v}`"), *at),
                        AttrValue::Dynamic(s) | AttrValue::Optional(s) => {
                            let e = &s.expr;
                            let text = quote::quote!(#e).to_string();
                            (format!("expr:{text}"), format!("`#({text})`"), s.span)
                        }
                        _ => (String::new(), String::new(), span),
                    };
                    if key.is_empty() {
                        continue;
                    }
                    if seen.insert(key, span).is_some() {
                        diags.error_help(
                            span,
                            format!("duplicate id {shown} in this template"),
                            "ids must be unique in a page; patches find their target by id",
                        );
                    }
                }
                if let Some(b) = &el.body {
                    duplicate_ids(b, seen, diags);
                }
            }
            Node::Group(b) | Node::For { body: b, .. } | Node::While { body: b, .. } => {
                duplicate_ids(b, seen, diags)
            }
            Node::If(i) => {
                // Branches are alternatives: each may use the same id.
                let mut branch = Some(i);
                while let Some(i) = branch {
                    duplicate_ids(&i.then, &mut seen.clone(), diags);
                    branch = match &i.otherwise {
                        Some(Else::If(e)) => Some(e),
                        Some(Else::Block(b)) => {
                            duplicate_ids(b, &mut seen.clone(), diags);
                            None
                        }
                        None => None,
                    };
                }
            }
            Node::Match { arms, .. } => {
                for a in arms {
                    duplicate_ids(&a.body, &mut seen.clone(), diags);
                }
            }
            Node::Text(_) | Node::Splice(_) | Node::Doctype | Node::Let(_) => {}
        }
    }
}

/// `foreign`: inside an `svg` or `math` element.
fn walk(block: &Block, diags: &mut Diagnostics, raw_parent: Option<&str>, foreign: bool) {
    for node in &block.nodes {
        match node {
            Node::Element(el) => {
                if let Some(parent) = raw_parent {
                    diags.error_help(
                        el.name.span,
                        format!(
                            "`<{parent}>` can only contain text, found element `{}`",
                            el.name.text
                        ),
                        "move the element out of it",
                    );
                }
                element(el, diags, foreign);
            }
            Node::Text(lit) => {
                if let Some(parent) = raw_parent {
                    let lower = lit.value().to_ascii_lowercase();
                    if lower.contains(&format!("</{parent}")) || lower.contains("<!--") {
                        diags.error(
                            lit.span(),
                            format!("this text would end the `<{parent}>` element early (`</{parent}` or `<!--` inside it)"),
                        );
                    }
                }
            }
            Node::Group(b) => walk(b, diags, raw_parent, foreign),
            Node::If(i) => walk_if(i, diags, raw_parent, foreign),
            Node::For { body, .. } | Node::While { body, .. } => {
                walk(body, diags, raw_parent, foreign)
            }
            Node::Match { arms, .. } => {
                for arm in arms {
                    walk(&arm.body, diags, raw_parent, foreign);
                }
            }
            Node::Doctype if raw_parent.is_some() => diags.error(
                proc_macro2::Span::call_site(),
                "`!DOCTYPE` cannot appear inside a raw-text element",
            ),
            Node::Splice(_) | Node::Doctype | Node::Let(_) => {}
        }
    }
}

fn walk_if(i: &If, diags: &mut Diagnostics, raw_parent: Option<&str>, foreign: bool) {
    walk(&i.then, diags, raw_parent, foreign);
    match &i.otherwise {
        Some(Else::If(e)) => walk_if(e, diags, raw_parent, foreign),
        Some(Else::Block(b)) => walk(b, diags, raw_parent, foreign),
        None => {}
    }
}

fn element(el: &Element, diags: &mut Diagnostics, foreign: bool) {
    let name = el.name.text.as_str();
    let is_void = is_void(name);
    let foreign = foreign || is_foreign_root(name);
    let self_closing = foreign || is_foreign(name);
    match &el.body {
        Some(body) if is_void => {
            let _ = body;
            diags.error_help(
                el.name.span,
                format!("`{name}` is a void element and cannot have children"),
                format!("end it with `;`: `{name} ...;`"),
            );
        }
        None if !is_void && !self_closing => diags.error_help(
            el.name.span,
            format!("`{name}` is not a void element, so it cannot end with `;`"),
            format!("write `{name} {{}}` for an empty element (only void elements, and SVG and MathML elements, end with `;`)"),
        ),
        _ => {}
    }
    attributes(el, diags);
    if name.eq_ignore_ascii_case("script") && is_import_map(el) {
        if let Some(span) = el.body.as_ref().and_then(first_splice) {
            diags.error_help(
                span,
                "an import map decides where the page's modules are loaded from, so it takes no value from Rust",
                "write the import map in the template (`script type=\"importmap\" { \"{...}\" }`)",
            );
        }
    }
    if let Some(body) = &el.body {
        let raw = RAW_TEXT
            .iter()
            .copied()
            .find(|r| r.eq_ignore_ascii_case(name));
        walk(body, diags, raw, foreign);
    }
}

/// `svg` or `math` (any case).
pub fn is_foreign_root(name: &str) -> bool {
    FOREIGN_ROOTS.iter().any(|v| v.eq_ignore_ascii_case(name))
}

/// An SVG or MathML element name that HTML does not have (any case).
pub fn is_foreign(name: &str) -> bool {
    FOREIGN_ELEMENTS
        .iter()
        .any(|v| v.eq_ignore_ascii_case(name))
}

fn attributes(el: &Element, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, proc_macro2::Span> = HashMap::new();
    let mut note = |key: &str, span: proc_macro2::Span, diags: &mut Diagnostics| {
        if seen.insert(key.to_owned(), span).is_some() {
            diags.error(
                span,
                format!("attribute `{key}` is given twice on `{}`", el.name.text),
            );
        }
    };
    let mut class_seen = false;
    for attr in &el.attrs {
        match attr {
            Attr::Id { span, value } => {
                static_id(value, diags);
                note("id", *span, diags)
            }
            Attr::Class { span, .. } => {
                if !class_seen {
                    note("class", *span, diags);
                    class_seen = true;
                }
            }
            Attr::Named { name, value } => {
                let n = name.name();
                note(&n.text.to_ascii_lowercase(), n.span, diags);
                if n.text.eq_ignore_ascii_case("id") && !matches!(name, AttrName::Datastar(..)) {
                    // One id rule: `id=..` is `#..` written another way.
                    if matches!(value, AttrValue::Empty | AttrValue::Toggle(_)) {
                        diags.error_name(
                            n,
                            format!("`{}` needs a value: an element id is never empty", n.text),
                            Some("write `#name`, `#(ID)` with a declared id, or `id=\"name\"`"),
                        );
                    }
                    static_id(value, diags);
                }
                if let AttrName::Datastar(_, ds) = name {
                    datastar_value(n, ds, value, diags);
                    // `data-text` sets the element's text: a script's text runs (an empty
                    // `<script>` was never started, so new text starts it), a style's text is
                    // a style sheet. Whatever computes it, it is not data there.
                    if matches!(ds.plugin.name, "text" | "json-signals")
                        && RAW_TEXT
                            .iter()
                            .any(|r| r.eq_ignore_ascii_case(&el.name.text))
                    {
                        diags.error_name(
                            n,
                            format!("`data-{}` on `<{}>` would set its text, which the browser runs as {}", ds.plugin.name, el.name.text, if el.name.text.eq_ignore_ascii_case("script") { "a script" } else { "a style sheet" }),
                            Some("show the value in another element; pass data to a script with `Json(..)` in its content, or with `execute_script(..).arg(..)`"),
                        );
                    }
                    if let Some(prop) = code_property(ds) {
                        diags.error_name(
                            n,
                            format!("`{}` binds a signal (data) to the element's `{prop}` property, which the browser reads as markup, code or a URL", n.text),
                            Some("bind a value property (`__prop.value`, `__prop.checked`, …); show text with `data-text`, set a URL with `data-attr:href` (guarded)"),
                        );
                    }
                }
                let dynamic = matches!(value, AttrValue::Dynamic(_) | AttrValue::Optional(_));
                // `data-attr:KEY="code"` sets KEY to what the code computes in the browser (a
                // signal's value, data): the key's rules are the same as for a value from Rust.
                let computed_key = matches!(
                    (name, value),
                    (AttrName::Datastar(_, ds), AttrValue::Static(..))
                        if ds.plugin.name == "attr" && ds.key.is_some()
                );
                // `data-attr="{…}"` / `data-style="{…}"`: names and values computed in the
                // browser, where none of the rules of `data-attr:KEY` can check them (the same
                // reason an `Expr` is refused there).
                if let (AttrName::Datastar(_, ds), AttrValue::Static(..)) = (name, value) {
                    if matches!(ds.plugin.name, "attr" | "style") && ds.key.is_none() {
                        let plugin = ds.plugin.name;
                        diags.error_name(
                            n,
                            if plugin == "attr" {
                                "`data-attr=\"…\"` computes its attribute names and values in the browser, where no rule checks them: `{'data-init': $msg}`, `{onclick: $msg}` or `{href: $link}` would run a signal's value".to_owned()
                            } else {
                                "`data-style=\"…\"` computes its properties and values in the browser, where the CSS rule does not check them: `{backgroundImage: $css}` would load what a signal names".to_owned()
                            },
                            Some(&format!("write one `data-{plugin}:KEY=\"…\"` per {} (its key is checked, URLs and CSS guarded), or `data-{plugin}=(map)` with a map from Rust", if plugin == "attr" { "attribute" } else { "property" })),
                        );
                    }
                }
                if dynamic || computed_key {
                    match dynamic_context(el, name) {
                        Err(r) => diags.error_name(n, r.message, Some(&r.help)),
                        Ok(crate::context::ValueContext::ExpressionId) if computed_key => {
                            diags.error_name(
                                n,
                                format!("`{}` would set the element's id to a value computed in the browser, which the id rule cannot check", n.text),
                                Some("write the id in the template: `#(ID)`, `id=(ID.with(n))`, or `data-attr:id=(ID)` with a declared id"),
                            );
                        }
                        Ok(_) => {}
                    }
                }
            }
        }
    }
}

/// `script type="importmap"` (any case).
fn is_import_map(el: &Element) -> bool {
    el.attrs.iter().any(|a| {
        matches!(a, Attr::Named { name, value: AttrValue::Static(v, _) }
            if name.name().text.eq_ignore_ascii_case("type") && v.trim().eq_ignore_ascii_case("importmap"))
    })
}

/// The first splice in a block (in any branch), if any.
fn first_splice(block: &Block) -> Option<proc_macro2::Span> {
    block.nodes.iter().find_map(|n| match n {
        Node::Splice(s) => Some(s.span),
        Node::Group(b) | Node::For { body: b, .. } | Node::While { body: b, .. } => first_splice(b),
        Node::If(i) => {
            let mut branch = Some(i);
            while let Some(i) = branch {
                if let Some(s) = first_splice(&i.then) {
                    return Some(s);
                }
                branch = match &i.otherwise {
                    Some(Else::If(e)) => Some(e),
                    Some(Else::Block(b)) => return first_splice(b),
                    None => None,
                };
            }
            None
        }
        Node::Match { arms, .. } => arms.iter().find_map(|a| first_splice(&a.body)),
        _ => None,
    })
}

/// A literal id (`#main`, `id="main"`) is non-empty and has no whitespace.
fn static_id(value: &AttrValue, diags: &mut Diagnostics) {
    if let AttrValue::Static(v, at) = value {
        if v.is_empty() || v.chars().any(char::is_whitespace) {
            diags.error(
                *at,
                format!("`{v}` is not a valid id: ids are non-empty and have no spaces"),
            );
        }
    }
}

fn datastar_value(
    n: &Name,
    ds: &crate::datastar::DatastarAttr,
    value: &AttrValue,
    diags: &mut Diagnostics,
) {
    let p = ds.plugin;
    let has_value = !matches!(value, AttrValue::Empty | AttrValue::Toggle(_));
    let plugin = format!("data-{}", p.name);
    if matches!(value, AttrValue::Toggle(_))
        && p.value != ValueRule::Denied
        && p.key != KeyRule::Exclusive
    {
        diags.error_name(
            n,
            format!("`{}` needs a value, not a `[condition]`", n.text),
            Some(&format!("write `{}=\"...\"`", n.text)),
        );
        return;
    }
    match p.key {
        KeyRule::Exclusive => {
            if ds.key.is_some() && has_value {
                diags.error_name(
                    n,
                    format!("`{}` has both a key and a value", n.text),
                    Some(&format!("`{plugin}` takes the signal name either as its key (`{plugin}:name`) or as its value, not both")),
                );
            } else if ds.key.is_none() && !has_value {
                diags.error_name(
                    n,
                    format!("`{plugin}` needs a signal name"),
                    Some(&format!("write `{plugin}:name`")),
                );
            }
        }
        _ => match p.value {
            ValueRule::Must if !has_value => diags.error_name(
                n,
                format!("`{}` needs a value", n.text),
                Some(&format!(
                    "write `{}=\"...\"` with a Datastar expression",
                    n.text
                )),
            ),
            ValueRule::Denied if has_value => diags.error_name(
                n,
                format!("`{}` takes no value", n.text),
                Some(&format!("write `{}` alone", n.text)),
            ),
            _ => {}
        },
    }
    if p.kind == ValueKind::SignalName {
        if let AttrValue::Dynamic(s) | AttrValue::Optional(s) = value {
            diags.error_help(
                s.span,
                format!(
                    "the signal name of `{plugin}` must be written in the template, not computed"
                ),
                format!("write `{plugin}:name`, so the name can be checked at compile time"),
            );
        }
    }
}

/// `data-bind__prop.NAME`: the property the client sets (`NAME` in camelCase, as its `Pt` makes
/// it), if it is one that turns a string into markup, code, a style sheet or a URL: markup
/// (`innerHTML`, `outerHTML`, `srcdoc`), text that runs in a `<script>` (`text`,
/// `textContent`, `innerText`, `outerText`), URLs (`href`, `src`, `action`, `formAction`,
/// `data`, `codebase`), CSS (`style`, `cssText`) and event handlers (`on…`). Compared without
/// case, `-` or `_`.
fn code_property(ds: &crate::datastar::DatastarAttr) -> Option<String> {
    if ds.plugin.name != "bind" {
        return None;
    }
    const SINKS: &[&str] = &[
        "innerhtml",
        "outerhtml",
        "srcdoc",
        "text",
        "textcontent",
        "innertext",
        "outertext",
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "codebase",
        "style",
        "csstext",
    ];
    ds.mods
        .iter()
        .filter(|(m, _)| m == "prop")
        .flat_map(|(_, args)| args.iter())
        .find(|arg| {
            let flat: String = arg
                .chars()
                .filter(|c| !matches!(c, '-' | '_'))
                .map(|c| c.to_ascii_lowercase())
                .collect();
            SINKS.contains(&flat.as_str()) || nitro_syntax::tables::is_event_handler(arg)
        })
        .cloned()
}
