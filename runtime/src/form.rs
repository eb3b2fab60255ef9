//! Typed forms: `#[derive(Form)]` (with `Signals`) on the struct a handler reads gives each field
//! an input id, an error-slot id and its signal name, derived from the field's name at compile
//! time, and an errors type with one `Option<String>` per field. A field renders as a label, an
//! input bound to its signal and an empty error slot ([`Field::input`]); a handler answers with
//! the errors (`errors.into()`), which patches every slot: the message where there is one, empty
//! where there is none, so a success (`Errors::default()`) clears them all.
//!
//! ```
//! use nitro::prelude::*;
//! use nitro::form::{Form, FormErrors};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Signals, Form, Serialize, Deserialize, Default)]
//! struct Signup { name: String, email: String }
//!
//! fn validate(s: &Signup) -> SignupErrors {
//!     SignupErrors {
//!         name: s.name.trim().is_empty().then(|| "A name is needed".into()),
//!         email: (!s.email.contains('@')).then(|| "This is not an email address".into()),
//!     }
//! }
//!
//! let page = html! {
//!     @signals(Signup);
//!     form data-on:submit__prevent="@post('/signup')" {
//!         (Signup::FIELDS.name.input("Name"))
//!         (Signup::FIELDS.email.input("Email").kind("email"))
//!         button { "Sign up" }
//!     }
//! };
//! assert!(page.render().into_string().contains(
//!     r#"<input id="signup-email" name="email" type="email" data-bind="email" aria-describedby="signup-email-error">"#
//! ));
//!
//! let errors = validate(&Signup { name: "Ada".into(), email: "ada".into() });
//! assert!(!errors.is_empty());
//! let events: Events = errors.into();
//! let sse = events.encode().unwrap();
//! assert!(sse.contains(r#"<p id="signup-name-error" class="field-error" role="alert" aria-live="polite"></p>"#));
//! assert!(sse.contains(">This is not an email address</p>"));
//! ```

use crate::sse::{Events, PatchElements};
use crate::{escape, Id, Markup, Render};

/// A struct whose fields are a form's inputs: `#[derive(Form)]` implements it, with an errors
/// type (`<Name>Errors`, one `Option<String>` per field) and the fields' ids and signal names
/// (`<Name>::FIELDS`, a `<Name>Fields` with one [`Field`] per field).
///
/// ```
/// use nitro::form::Form;
/// #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)]
/// struct Login { user: String }
/// assert_eq!(<Login as Form>::FIELDS.user.id().as_str(), "login-user");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a form",
    note = "add `#[derive(nitro::form::Form)]` next to `#[derive(Signals)]`"
)]
pub trait Form: crate::signals::Signals {
    /// The validation errors: one `Option<String>` per field.
    type Errors: FormErrors;
    /// One [`Field`] per field.
    type Fields;
    /// The fields' ids and signal names.
    const FIELDS: Self::Fields;
}

/// A form's validation errors, as `#[derive(Form)]` generates them (`<Name>Errors`).
///
/// ```
/// use nitro::form::FormErrors;
/// #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)]
/// struct Login { user: String }
/// let mut e = LoginErrors::default();
/// assert!(e.is_empty());
/// e.user = Some("unknown user".into());
/// assert_eq!(e.messages()[0].1, Some("unknown user"));
/// ```
pub trait FormErrors: Default {
    /// Each field with its message, `None` where it has none.
    fn messages(&self) -> Vec<(Field, Option<&str>)>;

    /// Has no field an error?
    fn is_empty(&self) -> bool {
        self.messages().iter().all(|(_, m)| m.is_none())
    }

    /// One patch per field's error slot: its message, or empty (which clears it).
    fn events(&self) -> Events {
        self.messages()
            .into_iter()
            .map(|(field, message)| PatchElements::new(field.error(message)))
            .collect()
    }
}

/// One field of a form: the id of its input, the id of its error slot and its signal's name,
/// all derived from the field's name by `#[derive(Form)]`.
///
/// ```
/// #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Profile { display_name: String }
/// let f = Profile::FIELDS.display_name;
/// assert_eq!((f.id().as_str(), f.error_id().as_str(), f.signal()), ("profile-display-name", "profile-display-name-error", "displayName"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    input: Id,
    error: Id,
    signal: &'static str,
}

impl Field {
    #[doc(hidden)]
    pub const fn new(input: Id, error: Id, signal: &'static str) -> Field {
        Field {
            input,
            error,
            signal,
        }
    }

    /// The input's id.
    ///
    /// ```
    /// # #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)] struct Login { user: String }
    /// assert_eq!(Login::FIELDS.user.id().as_str(), "login-user");
    /// ```
    pub const fn id(self) -> Id {
        self.input
    }

    /// The error slot's id.
    ///
    /// ```
    /// # #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)] struct Login { user: String }
    /// assert_eq!(Login::FIELDS.user.error_id().as_str(), "login-user-error");
    /// ```
    pub const fn error_id(self) -> Id {
        self.error
    }

    /// The signal the input is bound to (the field's JSON name).
    ///
    /// ```
    /// # #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)] struct Login { user: String }
    /// assert_eq!(Login::FIELDS.user.signal(), "user");
    /// ```
    pub const fn signal(self) -> &'static str {
        self.signal
    }

    /// The field as a `div.field`: a label, an input bound to the signal (`type="text"`, see
    /// [`FieldInput::kind`]) and its empty error slot.
    ///
    /// ```
    /// # #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)] struct Login { user: String }
    /// use nitro::Render;
    /// assert_eq!(
    ///     Login::FIELDS.user.input("User <name>").render().into_string(),
    ///     concat!(
    ///         r#"<div class="field"><label for="login-user">User &lt;name&gt;</label>"#,
    ///         r#"<input id="login-user" name="user" type="text" data-bind="user" aria-describedby="login-user-error">"#,
    ///         r#"<p id="login-user-error" class="field-error" role="alert" aria-live="polite"></p></div>"#,
    ///     )
    /// );
    /// ```
    pub fn input(self, label: &str) -> FieldInput<'_> {
        FieldInput {
            input: self.input.as_str(),
            error: self.error.as_str(),
            signal: self.signal,
            label,
            kind: "text",
        }
    }

    /// The error slot with a message (escaped), or empty: what [`FormErrors::events`] patches.
    ///
    /// ```
    /// # #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)] struct Login { user: String }
    /// use nitro::Render;
    /// assert_eq!(
    ///     Login::FIELDS.user.error(Some("<b>")).into_string(),
    ///     r#"<p id="login-user-error" class="field-error" role="alert" aria-live="polite">&lt;b&gt;</p>"#
    /// );
    /// ```
    pub fn error(self, message: Option<&str>) -> Markup {
        let mut buf = String::with_capacity(96);
        self.error_to(message, &mut buf);
        Markup::from_trusted(buf)
    }

    fn error_to(self, message: Option<&str>, buf: &mut String) {
        error_slot(self.error.as_str(), message, buf);
    }
}

/// An error slot: `<p id=.. class="field-error" role="alert" aria-live="polite">message</p>`.
pub(crate) fn error_slot(id: &str, message: Option<&str>, buf: &mut String) {
    buf.push_str("<p id=\"");
    escape::attribute(id, buf);
    buf.push_str("\" class=\"field-error\" role=\"alert\" aria-live=\"polite\">");
    if let Some(m) = message {
        escape::text(m, buf);
    }
    buf.push_str("</p>");
}

/// A field rendered as label, input and error slot ([`Field::input`], or
/// [`ScopedField::input`](crate::scope::ScopedField::input) for one instance of a component).
#[derive(Clone, Copy, Debug)]
pub struct FieldInput<'a> {
    pub(crate) input: &'a str,
    pub(crate) error: &'a str,
    pub(crate) signal: &'a str,
    pub(crate) label: &'a str,
    pub(crate) kind: &'static str,
}

impl FieldInput<'_> {
    /// The input's `type` (`"email"`, `"password"`, `"number"`, `"checkbox"`, …).
    ///
    /// ```
    /// # #[derive(nitro::Signals, nitro::form::Form, serde::Serialize)] struct Login { pass: String }
    /// use nitro::Render;
    /// assert!(Login::FIELDS.pass.input("Password").kind("password").render().into_string().contains(r#"type="password""#));
    /// ```
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
}

impl Render for FieldInput<'_> {
    fn render_to(&self, buf: &mut String) {
        buf.push_str("<div class=\"field\"><label for=\"");
        escape::attribute(self.input, buf);
        buf.push_str("\">");
        escape::text(self.label, buf);
        buf.push_str("</label><input id=\"");
        escape::attribute(self.input, buf);
        buf.push_str("\" name=\"");
        escape::attribute(self.signal, buf);
        buf.push_str("\" type=\"");
        escape::attribute(self.kind, buf);
        buf.push_str("\" data-bind=\"");
        escape::attribute(self.signal, buf);
        buf.push_str("\" aria-describedby=\"");
        escape::attribute(self.error, buf);
        buf.push_str("\">");
        error_slot(self.error, None, buf);
        buf.push_str("</div>");
    }
}
