//! Script execution and redirects, sent as a `datastar-patch-elements` event that appends a
//! `<script>` to `<body>`.

use bytes::BytesMut;

use super::{meta_methods, Event, EventError, EventErrorKind, Meta, Mode, PatchElements};

/// Runs JavaScript in the browser: [`ExecuteScript::new`] (code from your program),
/// [`ExecuteScript::trusted`] (code built at run time) or [`ExecuteScript::redirect`].
///
/// ```
/// use nitro::prelude::*;
/// let e = ExecuteScript::new("console.log(n)").arg("n", &1).unwrap().auto_remove(false);
/// let text = e.encode().unwrap();
/// assert!(text.contains("<script>{const n = 1;") && text.contains("console.log(n)"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecuteScript {
    script: String,
    /// `const name = value` bindings placed before the script, values as script-safe JSON.
    args: String,
    auto_remove: bool,
    /// Where the script is loaded from ([`ExecuteScript::src`]).
    src: Option<crate::TrustedUrl>,
    attributes: Vec<(String, String)>,
    /// Why encoding fails ([`ExecuteScript::redirect`] to a script-running URL).
    refused: Option<EventError>,
    pub(crate) meta: Meta,
}

impl ExecuteScript {
    /// Runs `script` by appending a `<script>` to `<body>`, which removes itself after running
    /// unless [`ExecuteScript::auto_remove`] is turned off.
    ///
    /// The code is a `&'static str` ([`StaticCode`](super::StaticCode)): code comes from your
    /// program, and data goes in as arguments with [`ExecuteScript::arg`], encoded as JSON, so
    /// no value can become code. For code built at run time, [`ExecuteScript::trusted`] says so
    /// in its name; passing a `String` here is a compile error that names both.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// assert_eq!(
    ///     ExecuteScript::new("console.log(1)").encode().unwrap(),
    ///     "event: datastar-patch-elements\ndata: selector body\ndata: mode append\ndata: elements <script data-effect=\"el.remove()\">console.log(1)</script>\n\n"
    /// );
    /// let user = "</script><script>alert(1)</script>";
    /// let e = ExecuteScript::new("console.log(name)").arg("name", &user).unwrap();
    /// assert!(!e.encode().unwrap().contains("</script><script>"));
    /// ```
    pub fn new(script: impl super::StaticCode) -> ExecuteScript {
        ExecuteScript::trusted(script.code())
    }

    /// [`ExecuteScript::new`] for code assembled at run time. It is sent as is: never put user input
    /// in it; pass data with [`ExecuteScript::arg`].
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let code = format!("console.log({})", 1 + 1);
    /// assert!(ExecuteScript::trusted(code).encode().unwrap().contains("console.log(2)"));
    /// ```
    pub fn trusted(script: impl Into<String>) -> ExecuteScript {
        ExecuteScript {
            script: script.into(),
            args: String::new(),
            auto_remove: true,
            src: None,
            attributes: Vec::new(),
            refused: None,
            meta: Meta::default(),
        }
    }

    /// Sends the browser to `url`. A script-running URL (`javascript:`, `vbscript:`, `data:`,
    /// read as the browser's URL parser reads it) makes encoding fail with
    /// [`EventErrorKind::UnsafeUrl`], like every other event's mistakes.
    /// The URL is written as a JSON string with every character that could matter to HTML or
    /// JavaScript escaped, so no URL can become code.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::sse::EventErrorKind;
    /// let text = ExecuteScript::redirect("/done?x=\"1\"").encode().unwrap();
    /// assert!(text.contains(r#"setTimeout(() => window.location.href = "\u002fdone?x=\u00221\u0022")"#));
    /// assert_eq!(ExecuteScript::redirect(" JavaScript:alert(1)").encode().unwrap_err().kind(), EventErrorKind::UnsafeUrl);
    /// ```
    pub fn redirect(url: &str) -> ExecuteScript {
        if crate::escape::is_dangerous_url(url) {
            return ExecuteScript::refused(EventError::new(
                EventErrorKind::UnsafeUrl,
                "redirect to a javascript:, vbscript: or data: URL",
            ));
        }
        let mut script = String::from(REDIRECT_PREFIX);
        crate::escape::expression_json(url, &mut script);
        script.push_str(REDIRECT_SUFFIX);
        ExecuteScript::trusted(script)
    }
}

/// The code of [`ExecuteScript::redirect`] is `REDIRECT_PREFIX`, the URL as a JSON string, then
/// `REDIRECT_SUFFIX` (`nitro::testing` reads it back as `Received::Redirect`).
pub(crate) const REDIRECT_PREFIX: &str = "setTimeout(() => window.location.href = ";
pub(crate) const REDIRECT_SUFFIX: &str = ")";

/// Is `name` a plain JavaScript identifier (ASCII letters, digits, `_`, `$`; not a digit first)?
fn is_identifier(name: &str) -> bool {
    const RESERVED: &[&str] = &[
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "let",
        "new",
        "null",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ];
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !RESERVED.contains(&name)
}

impl ExecuteScript {
    /// Binds `name` to `value` for the script: `const name = <value as JSON>` before the code,
    /// both in one block. The JSON is escaped for a `<script>` element (`<`, `>`, `&`, quotes,
    /// U+2028/2029 and all non-ASCII as `\uXXXX`), so data can never end the element or
    /// become code. Fails for a name that is not a plain identifier, or a value that cannot be
    /// serialized.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = ExecuteScript::new("show(title, n)").arg("title", "a'b").unwrap().arg("n", &3).unwrap();
    /// assert!(e.encode().unwrap().contains(r#"{const title = "a\u0027b", n = 3;"#));
    /// assert!(ExecuteScript::new("x").arg("not valid", &1).is_err());
    /// ```
    pub fn arg<T: serde::Serialize + ?Sized>(
        mut self,
        name: &'static str,
        value: &T,
    ) -> Result<Self, EventError> {
        if !is_identifier(name) {
            return Err(EventError::new(
                EventErrorKind::InvalidArgument,
                format!("{name:?} is not a JavaScript identifier"),
            ));
        }
        serde_json::to_value(value)
            .map_err(|e| EventError::new(EventErrorKind::Serialize, e.to_string()))?;
        self.args.push_str(if self.args.is_empty() {
            "{const "
        } else {
            ", "
        });
        self.args.push_str(name);
        self.args.push_str(" = ");
        crate::escape::expression_json(value, &mut self.args);
        Ok(self)
    }

    /// An event that fails with `error` when it is encoded.
    pub(super) fn refused(error: EventError) -> ExecuteScript {
        let mut refused = ExecuteScript::trusted("");
        refused.refused = Some(error);
        refused
    }

    /// [`ExecuteScript::arg`] for the helpers that return an event: a failure is kept and
    /// reported when the event is encoded, like every other event's mistakes.
    pub(super) fn arg_or_refuse<T: serde::Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Self {
        if self.refused.is_some() {
            return self;
        }
        self.arg(name, value).unwrap_or_else(ExecuteScript::refused)
    }

    /// Keeps (`false`) or removes (`true`, the default) the `<script>` element after it runs.
    pub fn auto_remove(mut self, yes: bool) -> Self {
        self.auto_remove = yes;
        self
    }

    /// Adds an attribute to the `<script>` tag (e.g. a CSP `nonce`, or `type="module"`);
    /// written in the order given, the value attribute-escaped. The name is code, so it is a
    /// `&'static str`.
    ///
    /// An attribute whose value would run or load code is refused when the event is encoded
    /// ([`EventErrorKind::InvalidArgument`]; in a response, logged, counted and answered
    /// 500): an event handler (`on…`), `src`, `href` or `xlink:href` (use
    /// [`ExecuteScript::src`] with a [`TrustedUrl`](crate::TrustedUrl)), and a Datastar
    /// attribute (`data-on:*`, `data-init`, `data-effect`, …), any case.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::sse::EventErrorKind;
    /// let e = ExecuteScript::new("go()").attribute("nonce", "a\"b").auto_remove(false);
    /// assert!(e.encode().unwrap().contains("<script nonce=\"a&quot;b\">go()</script>"));
    /// let from_user = "https://evil.example/x.js";
    /// let e = ExecuteScript::new("").attribute("SRC", from_user);
    /// assert_eq!(e.encode().unwrap_err().kind(), EventErrorKind::InvalidArgument);
    /// ```
    pub fn attribute(self, name: &'static str, value: impl Into<String>) -> Self {
        self.attribute_trusted(name, value)
    }

    /// [`ExecuteScript::attribute`] with a name chosen at run time: never from user input.
    /// The same names are refused.
    pub fn attribute_trusted(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// Loads the script from `url` (its `src` attribute): a [`TrustedUrl`](crate::TrustedUrl),
    /// chosen by the program, never a value from a request.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::TrustedUrl;
    /// let e = ExecuteScript::new("").src(TrustedUrl::new("/static/widget.js"));
    /// assert!(e.encode().unwrap().contains(r#"<script data-effect="el.remove()" src="/static/widget.js"></script>"#));
    /// ```
    pub fn src(mut self, url: crate::TrustedUrl) -> Self {
        self.src = Some(url);
        self
    }

    /// The attributes, or the first one that would run or load code.
    fn checked_attributes(&self) -> Result<&[(String, String)], EventError> {
        for (name, _) in &self.attributes {
            let name: String = attribute_name(name).collect();
            if refused_attribute(&name) {
                return Err(EventError::new(
                    EventErrorKind::InvalidArgument,
                    format!("the script attribute {name:?} would run or load code; load a script with `.src(TrustedUrl)`"),
                ));
            }
        }
        Ok(&self.attributes)
    }

    meta_methods!();

    fn to_patch(&self) -> Result<PatchElements, EventError> {
        if let Some(e) = &self.refused {
            return Err(e.clone());
        }
        let attributes = self.checked_attributes()?;
        let mut html = String::with_capacity(self.script.len() + 48);
        html.push_str("<script");
        if self.auto_remove {
            html.push_str(" data-effect=\"el.remove()\"");
        }
        if let Some(src) = &self.src {
            html.push_str(" src=\"");
            crate::guards::render_code_url(src, &mut html);
            html.push('"');
        }
        for (name, value) in attributes {
            html.push(' ');
            html.extend(attribute_name(name));
            html.push_str("=\"");
            crate::escape::attribute(value, &mut html);
            html.push('"');
        }
        html.push('>');
        if self.args.is_empty() {
            html.push_str(&self.script);
        } else {
            html.push_str(&self.args);
            html.push_str(";\n");
            html.push_str(&self.script);
            html.push_str("\n}");
        }
        html.push_str("</script>");
        let mut patch =
            PatchElements::trusted(Some(crate::Selector::css("body")), Mode::Append, html);
        patch.meta = self.meta.clone();
        Ok(patch)
    }
}

/// An attribute name as written: the characters that would end the name dropped (names
/// cannot be escaped).
fn attribute_name(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().filter(|c| {
        !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '\'' | '>' | '/' | '=' | '<')
    })
}

/// Would a script attribute of this name run or load code?
fn refused_attribute(name: &str) -> bool {
    crate::escape::is_event_handler_name(name)
        || crate::escape::loads_code("script", name)
        || crate::escape::is_datastar_attribute_name(name)
}

impl Event for ExecuteScript {
    fn encode_to(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        self.to_patch()?.encode_to(buf)
    }
}

impl ExecuteScript {
    /// The event as a plain `text/javascript` response: the `datastar-script-attributes`
    /// header (a JSON object) and the script. The client appends it to `<head>`.
    #[cfg(feature = "axum")]
    pub(crate) fn plain_parts(self) -> Result<super::patch_elements::PlainParts, EventError> {
        if let Some(e) = self.refused {
            return Err(e);
        }
        self.checked_attributes()?;
        let mut attributes = serde_json::Map::new();
        if self.auto_remove {
            attributes.insert("data-effect".into(), "el.remove()".into());
        }
        if let Some(src) = &self.src {
            let url = if crate::escape::is_dangerous_url(src.as_str()) {
                crate::escape::BLOCKED_URL
            } else {
                src.as_str()
            };
            attributes.insert("src".into(), url.into());
        }
        for (name, value) in self.attributes {
            attributes.insert(attribute_name(&name).collect(), value.into());
        }
        let mut headers = Vec::new();
        if !attributes.is_empty() {
            let json = serde_json::Value::Object(attributes).to_string();
            headers.push(("datastar-script-attributes", json));
        }
        Ok((headers, self.script))
    }
}
