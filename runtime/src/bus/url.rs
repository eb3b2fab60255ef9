//! The bus URL of [`Bus::connect`](super::Bus::connect): which backend, and its settings.
//! Parsed and checked here whatever features are on, so a wrong URL is always a clear error.

use super::{BusError, BusErrorKind, Pattern};

/// The longest JetStream stream name accepted in a bus URL, in bytes.
const MAX_STREAM_NAME: usize = 64;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Memory,
    Nats {
        server: String,
    },
    JetStream {
        server: String,
        stream: String,
        subjects: Vec<String>,
        max_per_subject: Option<i64>,
        max_messages: Option<i64>,
        replicas: Option<usize>,
    },
}

fn invalid(url: &str, why: impl std::fmt::Display) -> BusError {
    let quoted: String = url.chars().take(200).collect();
    BusError::new(
        BusErrorKind::InvalidUrl,
        format!(
            "invalid bus URL {quoted:?}: {why} (expected `memory:`, `nats://host:port` or \
             `nats+js://host:port/STREAM?subjects=a.>,b.>`)"
        ),
    )
}

pub(crate) fn parse(url: &str) -> Result<Target, BusError> {
    let url = url.trim();
    if url.is_empty() || url == "memory:" {
        return Ok(Target::Memory);
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(
            url,
            "it contains whitespace or a control character",
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(invalid(url, "no scheme"));
    };
    let (base, jetstream) = match scheme.to_ascii_lowercase().as_str() {
        "nats" => ("nats", false),
        "tls" => ("tls", false),
        "nats+js" => ("nats", true),
        "tls+js" => ("tls", true),
        other => return Err(invalid(url, format_args!("unknown scheme {other:?}"))),
    };
    let (authority, path_query) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.ends_with('@') {
        return Err(invalid(url, "no host"));
    }
    let server = format!("{base}://{authority}");
    if !jetstream {
        if !path_query.is_empty() && path_query != "/" {
            return Err(invalid(
                url,
                "a path or query is only meaningful with nats+js:// (JetStream)",
            ));
        }
        return Ok(Target::Nats { server });
    }
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let stream = path.strip_prefix('/').unwrap_or(path);
    if stream.is_empty() {
        return Err(invalid(
            url,
            "no stream name (nats+js://host:port/STREAM?…)",
        ));
    }
    if stream.len() > MAX_STREAM_NAME
        || !stream
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(invalid(
            url,
            format_args!(
                "stream name {stream:?} must be 1 to {MAX_STREAM_NAME} ASCII letters, digits, `_` or `-`"
            ),
        ));
    }
    let mut subjects = Vec::new();
    let mut max_per_subject = None;
    let mut max_messages = None;
    let mut replicas = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "subjects" => {
                for s in value.split(',') {
                    Pattern::new(s).map_err(|e| invalid(url, e))?;
                    subjects.push(s.to_owned());
                }
            }
            "max_per_subject" => max_per_subject = Some(positive(url, key, value)?),
            "max_messages" => max_messages = Some(positive(url, key, value)?),
            "replicas" => {
                let n = positive(url, key, value)?;
                if n > 5 {
                    return Err(invalid(url, "replicas must be 1 to 5 (NATS's limit)"));
                }
                replicas = Some(n as usize);
            }
            other => {
                return Err(invalid(
                    url,
                    format_args!(
                    "unknown parameter {other:?} (known: subjects, max_per_subject, max_messages, replicas)"
                ),
                ))
            }
        }
    }
    if subjects.is_empty() {
        return Err(invalid(
            url,
            "no subjects: say which topics the stream keeps, e.g. ?subjects=chat.>",
        ));
    }
    Ok(Target::JetStream {
        server,
        stream: stream.to_owned(),
        subjects,
        max_per_subject,
        max_messages,
        replicas,
    })
}

/// A limit's value: a positive number.
fn positive(url: &str, key: &str, value: &str) -> Result<i64, BusError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(url, format_args!("{key} must be a positive number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        assert_eq!(parse("").unwrap(), Target::Memory);
        assert_eq!(parse("memory:").unwrap(), Target::Memory);
        assert_eq!(
            parse("nats://127.0.0.1:4222").unwrap(),
            Target::Nats {
                server: "nats://127.0.0.1:4222".into()
            }
        );
        assert_eq!(
            parse("nats://u:p@h:1/").unwrap(),
            Target::Nats {
                server: "nats://u:p@h:1".into()
            }
        );
        assert_eq!(
            parse("nats+js://h:4222/CHAT?subjects=chat.>,news.*&max_per_subject=100").unwrap(),
            Target::JetStream {
                server: "nats://h:4222".into(),
                stream: "CHAT".into(),
                subjects: vec!["chat.>".into(), "news.*".into()],
                max_per_subject: Some(100),
                max_messages: None,
                replicas: None,
            }
        );
        assert_eq!(
            parse("nats+js://h:4222/CHAT?subjects=chat.>&replicas=3").unwrap(),
            Target::JetStream {
                server: "nats://h:4222".into(),
                stream: "CHAT".into(),
                subjects: vec!["chat.>".into()],
                max_per_subject: None,
                max_messages: None,
                replicas: Some(3),
            }
        );
    }

    #[test]
    fn rejected_forms_say_why() {
        for (url, why) in [
            ("redis://h", "unknown scheme"),
            ("127.0.0.1:4222", "no scheme"),
            ("nats://", "no host"),
            ("nats://h:1/CHAT", "only meaningful with nats+js"),
            ("nats+js://h:1", "no stream name"),
            ("nats+js://h:1/CHAT", "no subjects"),
            ("nats+js://h:1/CH.AT?subjects=a", "stream name"),
            ("nats+js://h:1/CHAT?subjects=a..b", "invalid bus URL"),
            (
                "nats+js://h:1/CHAT?subjects=a&max_per_subject=-1",
                "positive",
            ),
            ("nats+js://h:1/CHAT?subject=a", "unknown parameter"),
            ("nats+js://h:1/CHAT?subjects=a&replicas=0", "positive"),
            ("nats+js://h:1/CHAT?subjects=a&replicas=7", "1 to 5"),
            ("nats://h\n:1", "control"),
        ] {
            let err = parse(url).unwrap_err();
            assert_eq!(err.kind(), BusErrorKind::InvalidUrl, "{url}");
            assert!(err.to_string().contains(why), "{url}: {err}");
        }
    }
}
