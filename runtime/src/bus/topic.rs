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

/// The longest topic or pattern, in bytes (UTF-8). Longer ones are refused with
/// [`BusErrorKind::InvalidTopic`] or [`BusErrorKind::InvalidPattern`].
///
/// ```
/// use nitro::bus::{Topic, MAX_TOPIC_BYTES};
/// assert!(Topic::new("a".repeat(MAX_TOPIC_BYTES)).is_ok());
/// assert!(Topic::new("a".repeat(MAX_TOPIC_BYTES + 1)).is_err());
/// ```
pub const MAX_TOPIC_BYTES: usize = 1024;

/// The most `.`-separated tokens in a topic or pattern. More are refused with
/// [`BusErrorKind::InvalidTopic`] or [`BusErrorKind::InvalidPattern`].
///
/// ```
/// use nitro::bus::{Pattern, MAX_TOPIC_TOKENS};
/// assert!(Pattern::new(vec!["a"; MAX_TOPIC_TOKENS].join(".")).is_ok());
/// assert!(Pattern::new(vec!["a"; MAX_TOPIC_TOKENS + 1].join(".")).is_err());
/// ```
pub const MAX_TOPIC_TOKENS: usize = 64;

/// At most this many characters of a refused topic are quoted in the error.
const QUOTED_CHARS: usize = 64;

fn check_tokens(s: &str, what: &str, wildcards: bool) -> Result<(), BusError> {
    let bad = |why: &str| {
        let mut quoted: String = s.chars().take(QUOTED_CHARS).collect();
        if quoted.len() < s.len() {
            quoted.push('…');
        }
        Err(BusError::new(
            if wildcards {
                BusErrorKind::InvalidPattern
            } else {
                BusErrorKind::InvalidTopic
            },
            format!("invalid {what} {quoted:?}: {why}"),
        ))
    };
    if s.is_empty() {
        return bad("it is empty");
    }
    if s.len() > MAX_TOPIC_BYTES {
        return bad(&format!(
            "it is {} bytes long, more than the limit MAX_TOPIC_BYTES = {MAX_TOPIC_BYTES}",
            s.len()
        ));
    }
    let mut tokens = s.split('.').peekable();
    let mut count = 0;
    while let Some(t) = tokens.next() {
        count += 1;
        if count > MAX_TOPIC_TOKENS {
            return bad(&format!(
                "it has more than MAX_TOPIC_TOKENS = {MAX_TOPIC_TOKENS} tokens"
            ));
        }
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

/// Escapes any text into exactly one topic token, reversibly ([`untoken`] gives it back):
/// every byte except ASCII letters, digits, `-` and `_` becomes `%XX`, and the empty text
/// becomes `%`. So user text (a room name, a user id) put into a topic can never add a token
/// or a wildcard: `.`, `*`, `>` and whitespace are escaped, and a room named `*` is just the
/// room `%2A`.
///
/// The escaped token can be up to three times longer than the text; a topic longer than
/// [`MAX_TOPIC_BYTES`] is refused when used, so bound user text (e.g. to 256 bytes).
///
/// ```
/// use nitro::bus::{token, untoken, Bus};
/// assert_eq!(token("lobby"), "lobby");
/// assert_eq!(token("*"), "%2A");
/// assert_eq!(token("a.b >"), "a%2Eb%20%3E");
/// assert_eq!(untoken(&token("Zoë's room.*")).as_deref(), Some("Zoë's room.*"));
///
/// let room = "*"; // from the user
/// let topic = format!("chat.room.{}.message", token(room));
/// assert_eq!(topic, "chat.room.%2A.message");
/// ```
pub fn token(text: &str) -> String {
    if text.is_empty() {
        return "%".to_owned();
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// The text a [`token`] was made from, or `None` if `token` is not one [`token`] produces.
///
/// ```
/// use nitro::bus::{token, untoken};
/// assert_eq!(untoken("%2A").as_deref(), Some("*"));
/// assert_eq!(untoken("%").as_deref(), Some(""));
/// assert_eq!(untoken("a.b"), None);
/// ```
pub fn untoken(token: &str) -> Option<String> {
    if token == "%" {
        return Some(String::new());
    }
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b);
            i += 1;
        } else if b == b'%' {
            let (hi, lo) = (hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?);
            let v = hi << 4 | lo;
            if v.is_ascii_alphanumeric() || v == b'-' || v == b'_' {
                return None; // never escaped by `token`
            }
            out.push(v);
            i += 3;
        } else {
            return None;
        }
    }
    if out.is_empty() {
        return None;
    }
    String::from_utf8(out).ok()
}

impl Topic {
    /// Validates a topic.
    ///
    /// ```
    /// use nitro::bus::Topic;
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
    /// use nitro::bus::Pattern;
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
    /// use nitro::bus::{Pattern, Topic};
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

impl IntoPatterns for &String {
    fn into_patterns(self) -> Result<Vec<Pattern>, BusError> {
        Ok(vec![Pattern::new(self.as_str())?])
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

/// Anything that names one or more topics to publish to: `"a.b"`, `["a.b", "c.d"]`,
/// `vec![..]`, [`Topic`]s.
pub trait IntoTopics {
    /// The validated topics.
    fn into_topics(self) -> Result<Vec<Topic>, BusError>;
}

impl IntoTopics for &str {
    fn into_topics(self) -> Result<Vec<Topic>, BusError> {
        Ok(vec![Topic::new(self)?])
    }
}

impl IntoTopics for String {
    fn into_topics(self) -> Result<Vec<Topic>, BusError> {
        Ok(vec![Topic::new(self)?])
    }
}

impl IntoTopics for &String {
    fn into_topics(self) -> Result<Vec<Topic>, BusError> {
        Ok(vec![Topic::new(self.as_str())?])
    }
}

impl IntoTopics for Topic {
    fn into_topics(self) -> Result<Vec<Topic>, BusError> {
        Ok(vec![self])
    }
}

impl<S: AsRef<str>, const N: usize> IntoTopics for [S; N] {
    fn into_topics(self) -> Result<Vec<Topic>, BusError> {
        self.iter().map(|s| Topic::new(s.as_ref())).collect()
    }
}

impl<S: AsRef<str>> IntoTopics for Vec<S> {
    fn into_topics(self) -> Result<Vec<Topic>, BusError> {
        self.iter().map(|s| Topic::new(s.as_ref())).collect()
    }
}
