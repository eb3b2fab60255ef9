//! Script execution and redirects, sent as a `datastar-patch-elements` event that appends a
//! `<script>` to `<body>`.

use bytes::BytesMut;

use super::{meta_methods, Event, EventError, Meta, Mode, PatchElements};

/// Runs JavaScript in the browser. Build it with [`execute_script`] or [`redirect`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecuteScript {
    script: String,
    auto_remove: bool,
    attributes: Vec<(String, String)>,
    pub(crate) meta: Meta,
}

/// Runs `script` (trusted code: it is sent as is) by appending a `<script>` to `<body>`,
/// which removes itself after running unless [`ExecuteScript::auto_remove`] is turned off.
///
/// ```
/// use nitro_runtime::sse::{execute_script, Event};
/// assert_eq!(
///     execute_script("console.log(1)").to_string().unwrap(),
///     "event: datastar-patch-elements\ndata: selector body\ndata: mode append\ndata: elements <script data-effect=\"el.remove()\">console.log(1)</script>\n\n"
/// );
/// ```
pub fn execute_script(script: impl Into<String>) -> ExecuteScript {
    ExecuteScript {
        script: script.into(),
        auto_remove: true,
        attributes: Vec::new(),
        meta: Meta::default(),
    }
}

/// Sends the browser to `url`. The URL is written as a JSON string literal (script-safe), so
/// no URL can become code.
///
/// ```
/// use nitro_runtime::sse::{redirect, Event};
/// let text = redirect("/done?x=\"1\"").to_string().unwrap();
/// assert!(text.contains(r#"setTimeout(() => window.location.href = "/done?x=\"1\"")"#));
/// ```
pub fn redirect(url: &str) -> ExecuteScript {
    let mut script = String::from("setTimeout(() => window.location.href = ");
    crate::Json(url).write_script_safe(&mut script);
    script.push(')');
    execute_script(script)
}

impl ExecuteScript {
    /// Keeps (`false`) or removes (`true`, the default) the `<script>` element after it runs.
    pub fn auto_remove(mut self, yes: bool) -> Self {
        self.auto_remove = yes;
        self
    }

    /// Adds an attribute to the `<script>` tag (e.g. a CSP `nonce`); written in the order
    /// given, the value attribute-escaped.
    ///
    /// ```
    /// use nitro_runtime::sse::{execute_script, Event};
    /// let e = execute_script("go()").attribute("nonce", "a\"b").auto_remove(false);
    /// assert!(e.to_string().unwrap().contains("<script nonce=\"a&quot;b\">go()</script>"));
    /// ```
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    meta_methods!();

    fn to_patch(&self) -> PatchElements {
        let mut html = String::with_capacity(self.script.len() + 48);
        html.push_str("<script");
        if self.auto_remove {
            html.push_str(" data-effect=\"el.remove()\"");
        }
        for (name, value) in &self.attributes {
            html.push(' ');
            // Attribute names cannot be escaped; drop the characters that would end the name.
            html.extend(name.chars().filter(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(c, '"' | '\'' | '>' | '/' | '=' | '<')
            }));
            html.push_str("=\"");
            crate::escape::attribute(value, &mut html);
            html.push('"');
        }
        html.push('>');
        html.push_str(&self.script);
        html.push_str("</script>");
        let mut patch = PatchElements::from_trusted_html(html)
            .selector(crate::Selector::css("body"))
            .mode(Mode::Append);
        patch.meta = self.meta.clone();
        patch
    }
}

impl Event for ExecuteScript {
    fn encode(&self, buf: &mut BytesMut) -> Result<(), EventError> {
        self.to_patch().encode(buf)
    }
}

impl ExecuteScript {
    /// The event as a plain `text/javascript` response: the `datastar-script-attributes`
    /// header (a JSON object) and the script. The client appends it to `<head>`.
    #[cfg(feature = "axum")]
    pub(crate) fn plain_parts(self) -> super::patch_elements::PlainParts {
        let mut attributes = serde_json::Map::new();
        if self.auto_remove {
            attributes.insert("data-effect".into(), "el.remove()".into());
        }
        for (name, value) in self.attributes {
            attributes.insert(name, value.into());
        }
        let mut headers = Vec::new();
        if !attributes.is_empty() {
            let json = serde_json::Value::Object(attributes).to_string();
            headers.push(("datastar-script-attributes", json));
        }
        (headers, self.script)
    }
}
