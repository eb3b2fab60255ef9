//! The browser helpers the official SDKs have (console, custom events, the address bar,
//! prefetch), as [`ExecuteScript`] events whose code is fixed and whose data goes in through
//! [`ExecuteScript::arg`]: script-safe JSON, bound to a `const`, never spliced into code.

use super::{EventError, EventErrorKind, ExecuteScript};
use crate::IntoSelector;

/// The options every dispatched event gets: it bubbles, can be cancelled and crosses shadow
/// roots, as `datastar-go`'s `DispatchCustomEvent` does by default.
macro_rules! custom_event {
    () => {
        "new CustomEvent(name, {bubbles: true, cancelable: true, composed: true, detail})"
    };
}

impl ExecuteScript {
    /// Logs `value` in the browser's console (`console.log`). The value is sent as JSON, so any
    /// string logs as text.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// assert_eq!(
    ///     ExecuteScript::console_log("saved </script>").encode().unwrap(),
    ///     "event: datastar-patch-elements\ndata: selector body\ndata: mode append\n\
    ///      data: elements <script data-effect=\"el.remove()\">{const value = \"saved \\u003c\\u002fscript\\u003e\";\n\
    ///      data: elements console.log(value)\n\
    ///      data: elements }</script>\n\n"
    /// );
    /// ```
    pub fn console_log<T: serde::Serialize + ?Sized>(value: &T) -> ExecuteScript {
        ExecuteScript::new("console.log(value)").arg_or_refuse("value", value)
    }

    /// Logs `value` as an error in the browser's console (`console.error`). A value that cannot
    /// be serialized makes encoding fail ([`EventErrorKind::Serialize`]).
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let text = ExecuteScript::console_error(&serde_json::json!({ "code": 7 })).encode().unwrap();
    /// assert!(text.contains("{const value = {\"code\":7};\ndata: elements console.error(value)"));
    /// ```
    pub fn console_error<T: serde::Serialize + ?Sized>(value: &T) -> ExecuteScript {
        ExecuteScript::new("console.error(value)").arg_or_refuse("value", value)
    }

    /// Dispatches a `CustomEvent` named `name` on `document`, with `detail` (as JSON) as its
    /// `detail`. It bubbles, can be cancelled and crosses shadow roots. Listen to it with
    /// `data-on:NAME__window` or `document.addEventListener`.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = ExecuteScript::dispatch("saved", &serde_json::json!({ "id": 1 }));
    /// assert!(e.encode().unwrap().contains(
    ///     "{const name = \"saved\", detail = {\"id\":1};\ndata: elements document.dispatchEvent(new CustomEvent(name, "
    /// ));
    /// ```
    pub fn dispatch<T: serde::Serialize + ?Sized>(name: &str, detail: &T) -> ExecuteScript {
        ExecuteScript::new(concat!("document.dispatchEvent(", custom_event!(), ")"))
            .arg_or_refuse("name", name)
            .arg_or_refuse("detail", detail)
    }

    /// [`ExecuteScript::dispatch`] on every element matching `target` (a declared id or a
    /// [`Selector`](crate::Selector)) instead of `document`; the selector is data too.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// ids! { CART = "cart" }
    /// let e = ExecuteScript::dispatch_at(CART, "added", &3);
    /// assert!(e.encode().unwrap().contains(
    ///     "{const selector = \"#cart\", name = \"added\", detail = 3;\ndata: elements for (const el of document.querySelectorAll(selector)) el.dispatchEvent("
    /// ));
    /// ```
    pub fn dispatch_at<T: serde::Serialize + ?Sized>(
        target: impl IntoSelector,
        name: &str,
        detail: &T,
    ) -> ExecuteScript {
        ExecuteScript::new(concat!(
            "for (const el of document.querySelectorAll(selector)) el.dispatchEvent(",
            custom_event!(),
            ")"
        ))
        .arg_or_refuse("selector", target.into_selector().as_str())
        .arg_or_refuse("name", name)
        .arg_or_refuse("detail", detail)
    }

    /// Replaces the address bar's URL with `url` without loading it
    /// (`history.replaceState`, keeping the history entry's state): after a search, the URL a
    /// reload or a shared link should open. A script-running URL (`javascript:`, `vbscript:`,
    /// `data:`) makes encoding fail with [`EventErrorKind::UnsafeUrl`], as for
    /// [`ExecuteScript::redirect`]. The browser refuses another origin.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// use nitro::sse::EventErrorKind;
    /// let e = ExecuteScript::replace_url("/issues?q=open");
    /// assert!(e.encode().unwrap().contains(
    ///     "{const url = \"\\u002fissues?q=open\";\ndata: elements window.history.replaceState(window.history.state, \"\", url)"
    /// ));
    /// let e = ExecuteScript::replace_url("javascript:alert(1)");
    /// assert_eq!(e.encode().unwrap_err().kind(), EventErrorKind::UnsafeUrl);
    /// ```
    pub fn replace_url(url: &str) -> ExecuteScript {
        if crate::escape::is_dangerous_url(url) {
            return ExecuteScript::refused(EventError::new(
                EventErrorKind::UnsafeUrl,
                "replace_url with a javascript:, vbscript: or data: URL",
            ));
        }
        ExecuteScript::new(r#"window.history.replaceState(window.history.state, "", url)"#)
            .arg_or_refuse("url", url)
    }

    /// Replaces the query string of the address bar's URL with `query`, keeping its path and
    /// fragment, without loading it. `query` is what `URLSearchParams` takes, as JSON: a map or
    /// struct of strings and numbers, or a list of `(name, value)` pairs (a name may repeat).
    /// The browser percent-encodes it.
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = ExecuteScript::replace_query(&[("q", "a&b"), ("page", "2")]);
    /// assert!(e.encode().unwrap().contains(
    ///     "{const query = [[\"q\",\"a\\u0026b\"],[\"page\",\"2\"]];\ndata: elements const url = new URL(window.location.href);"
    /// ));
    /// ```
    pub fn replace_query<T: serde::Serialize + ?Sized>(query: &T) -> ExecuteScript {
        ExecuteScript::new(concat!(
            "const url = new URL(window.location.href); ",
            "url.search = new URLSearchParams(query).toString(); ",
            r#"window.history.replaceState(window.history.state, "", url)"#
        ))
        .arg_or_refuse("query", query)
    }

    /// Asks the browser to prefetch `urls` (pages the user is likely to open next) through
    /// speculation rules: a `<script type="speculationrules">` added to `<head>`, built in the
    /// browser from the URLs as data. Browsers without speculation rules ignore it. A
    /// script-running URL makes encoding fail with [`EventErrorKind::UnsafeUrl`].
    ///
    /// ```
    /// use nitro::prelude::*;
    /// let e = ExecuteScript::prefetch(["/issues/2", "/issues/3"]);
    /// assert!(e.encode().unwrap().contains(
    ///     "{const urls = [\"\\u002fissues\\u002f2\",\"\\u002fissues\\u002f3\"];\ndata: elements const rules = document.createElement(\"script\");"
    /// ));
    /// ```
    pub fn prefetch<I>(urls: I) -> ExecuteScript
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut list = Vec::new();
        for url in urls {
            let url = url.as_ref();
            if crate::escape::is_dangerous_url(url) {
                return ExecuteScript::refused(EventError::new(
                    EventErrorKind::UnsafeUrl,
                    "prefetch of a javascript:, vbscript: or data: URL",
                ));
            }
            list.push(url.to_owned());
        }
        ExecuteScript::new(concat!(
            r#"const rules = document.createElement("script"); "#,
            r#"rules.type = "speculationrules"; "#,
            r#"rules.textContent = JSON.stringify({prefetch: [{source: "list", urls}]}); "#,
            "document.head.append(rules)"
        ))
        .arg_or_refuse("urls", &list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::Event;

    /// The whole event, byte for byte: the code is fixed, the data is one JSON `const`.
    fn elements(e: &ExecuteScript) -> String {
        let text = e.encode().unwrap();
        let body = text
            .strip_prefix(
                "event: datastar-patch-elements\ndata: selector body\ndata: mode append\n",
            )
            .unwrap()
            .strip_suffix("\n\n")
            .unwrap();
        body.split('\n')
            .map(|l| l.strip_prefix("data: elements ").unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    const HOSTILE: &str = "\"); alert(1); (\"</script><script>alert(2)</script>\u{2028}`${x}`";
    const HOSTILE_JSON: &str = r#""\u0022)\u003b alert(1)\u003b (\u0022\u003c\u002fscript\u003e\u003cscript\u003ealert(2)\u003c\u002fscript\u003e\u2028\u0060\u0024{x}\u0060""#;

    #[test]
    fn console_helpers_bind_the_value() {
        assert_eq!(
            elements(&ExecuteScript::console_log(HOSTILE)),
            format!("<script data-effect=\"el.remove()\">{{const value = {HOSTILE_JSON};\nconsole.log(value)\n}}</script>")
        );
        assert_eq!(
            elements(&ExecuteScript::console_error(&[1, 2])),
            "<script data-effect=\"el.remove()\">{const value = [1,2];\nconsole.error(value)\n}</script>"
        );
    }

    #[test]
    fn dispatch_binds_name_selector_and_detail() {
        assert_eq!(
            elements(&ExecuteScript::dispatch(HOSTILE, HOSTILE)),
            format!("<script data-effect=\"el.remove()\">{{const name = {HOSTILE_JSON}, detail = {HOSTILE_JSON};\ndocument.dispatchEvent(new CustomEvent(name, {{bubbles: true, cancelable: true, composed: true, detail}}))\n}}</script>")
        );
        assert_eq!(
            elements(&ExecuteScript::dispatch_at(crate::Selector::css(HOSTILE), "x", &Option::<u8>::None)),
            format!("<script data-effect=\"el.remove()\">{{const selector = {HOSTILE_JSON}, name = \"x\", detail = null;\nfor (const el of document.querySelectorAll(selector)) el.dispatchEvent(new CustomEvent(name, {{bubbles: true, cancelable: true, composed: true, detail}}))\n}}</script>")
        );
    }

    #[test]
    fn address_bar_helpers_bind_the_url() {
        assert_eq!(
            elements(&ExecuteScript::replace_url(HOSTILE)),
            format!("<script data-effect=\"el.remove()\">{{const url = {HOSTILE_JSON};\nwindow.history.replaceState(window.history.state, \"\", url)\n}}</script>")
        );
        let mut query = std::collections::BTreeMap::new();
        query.insert("q", HOSTILE);
        assert_eq!(
            elements(&ExecuteScript::replace_query(&query)),
            format!("<script data-effect=\"el.remove()\">{{const query = {{\"q\":{HOSTILE_JSON}}};\nconst url = new URL(window.location.href); url.search = new URLSearchParams(query).toString(); window.history.replaceState(window.history.state, \"\", url)\n}}</script>")
        );
        assert_eq!(
            elements(&ExecuteScript::prefetch([HOSTILE, "/b"])),
            format!("<script data-effect=\"el.remove()\">{{const urls = [{HOSTILE_JSON},\"\\u002fb\"];\nconst rules = document.createElement(\"script\"); rules.type = \"speculationrules\"; rules.textContent = JSON.stringify({{prefetch: [{{source: \"list\", urls}}]}}); document.head.append(rules)\n}}</script>")
        );
    }

    #[test]
    fn script_running_urls_and_bad_values_fail_when_encoded() {
        for url in [
            "javascript:alert(1)",
            " JAVASCRIPT:x",
            "data:text/html,x",
            "vbscript:x",
        ] {
            for e in [
                ExecuteScript::replace_url(url),
                ExecuteScript::prefetch(["/ok", url]),
            ] {
                assert_eq!(e.encode().unwrap_err().kind(), EventErrorKind::UnsafeUrl);
            }
        }
        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), 3); // a map with non-string keys is not JSON
        for e in [
            ExecuteScript::console_log(&bad),
            ExecuteScript::dispatch("x", &bad),
            ExecuteScript::replace_query(&bad),
        ] {
            assert_eq!(e.encode().unwrap_err().kind(), EventErrorKind::Serialize);
        }
        // Options set after a refusal do not revive the event.
        let e = ExecuteScript::console_log(&bad).auto_remove(false);
        assert!(e.encode().is_err());
    }
}
