//! Topics and patterns with NATS subject semantics: `.`-separated tokens; in patterns `*` is
//! exactly one token and `>` is one or more trailing tokens.

use std::fmt;

use super::{BusError, BusErrorKind};

/// A concrete topic to publish to: `chat.room.42.message`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Topic(String);

/// A subscription pattern: `chat.room.*.message`, `chat.>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern(String);

fn check_tokens(s: &str, what: &str, wildcards: bool) -> Result<(), BusError> {
    let bad = |why: &str| {
        Err(BusError::new(
            if wildcards {
                BusErrorKind::InvalidPattern
            } else {
                BusErrorKind::InvalidTopic
            },
            format!("invalid {what} {s:?}: {why}"),
        ))
    };
    if s.is_empty() {
        return bad("it is empty");
    }
    let mut tokens = s.split('.').peekable();
    while let Some(t) = tokens.next() {
        if t.is_empty() {
            return bad("it has an empty token (`..`, or a leading or trailing `.`)");
        }
        if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("it contains whitespace");
        }
        let has_wild = t.contains(['*', '>']);
        if has_wild && !wildcards {
            return bad("topics cannot contain `*` or `>`; those are for patterns");
        }
        if has_wild && t != "*" && t != ">" {
            return bad("`*` and `>` must be whole tokens");
        }
        if t == ">" && tokens.peek().is_some() {
            return bad("`>` must be the last token");
        }
    }
    Ok(())
}

impl Topic {
    /// Validates a topic.
    ///
    /// ```
    /// use nitro_runtime::bus::Topic;
    /// assert!(Topic::new("chat.room.1").is_ok());
    /// assert!(Topic::new("chat..room").is_err());
    /// assert!(Topic::new("chat.*").is_err());
    /// ```
    pub fn new(topic: impl Into<String>) -> Result<Topic, BusError> {
        let t = topic.into();
        check_tokens(&t, "topic", false)?;
        Ok(Topic(t))
    }

    /// The topic's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

impl Pattern {
    /// Validates a pattern.
    ///
    /// ```
    /// use nitro_runtime::bus::Pattern;
    /// assert!(Pattern::new("chat.*.message").is_ok());
    /// assert!(Pattern::new("chat.>.x").is_err());
    /// assert!(Pattern::new("chat.ro*").is_err());
    /// ```
    pub fn new(pattern: impl Into<String>) -> Result<Pattern, BusError> {
        let p = pattern.into();
        check_tokens(&p, "pattern", true)?;
        Ok(Pattern(p))
    }

    /// The pattern's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Does `topic` match this pattern?
    ///
    /// ```
    /// use nitro_runtime::bus::{Pattern, Topic};
    /// let p = Pattern::new("chat.*.message").unwrap();
    /// assert!(p.matches(&Topic::new("chat.42.message").unwrap()));
    /// assert!(!p.matches(&Topic::new("chat.42.x.message").unwrap()));
    /// ```
    pub fn matches(&self, topic: &Topic) -> bool {
        let mut p = self.0.split('.');
        let mut t = topic.0.split('.');
        loop {
            match (p.next(), t.next()) {
                (Some(">"), Some(_)) => return true,
                (Some("*"), Some(_)) => {}
                (Some(a), Some(b)) if a == b => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }

    pub(crate) fn tokens(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Anything that names one or more patterns: `"a.>"`, `["a.*", "b.>"]`, `vec![..]`,
/// [`Pattern`]s.
pub trait IntoPatterns {
    /// The validated patterns.
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError>;
}

impl IntoPatterns for &str {
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError> {
        Ok(vec![Pattern::new(self)?])
    }
}

impl IntoPatterns for String {
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError> {
        Ok(vec![Pattern::new(self)?])
    }
}

impl IntoPatterns for Pattern {
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError> {
        Ok(vec![self])
    }
}

impl<S: AsRef<str>, const N: usize> IntoPatterns for [S; N] {
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError> {
        self.iter().map(|s| Pattern::new(s.as_ref())).collect()
    }
}

impl<S: AsRef<str>> IntoPatterns for Vec<S> {
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError> {
        self.iter().map(|s| Pattern::new(s.as_ref())).collect()
    }
}
