//! `ReadSignals<T>` over real HTTP: GET/DELETE query, POST body, and every way to get it wrong;
//! the cross-site request check on every method, and its explicit opt-out.

use crate::common;

use axum::{routing::get, Router};
use nitro::axum::{ReadSignals, ReadSignalsUnchecked, SignalsLimit};
use serde::Deserialize;

#[derive(Deserialize)]
struct Form {
    name: String,
    inner: Inner,
}

#[derive(Deserialize)]
struct Inner {
    count: i64,
}

async fn handler(ReadSignals(f): ReadSignals<Form>) -> String {
    format!("{}:{}", f.name, f.inner.count)
}

/// A flat struct, as a form's fields can fill it.
#[derive(Deserialize)]
struct Flat {
    name: String,
    count: i64,
    done: bool,
}

async fn flat(ReadSignals(f): ReadSignals<Flat>) -> String {
    format!("{}:{}:{}", f.name, f.count, f.done)
}

/// Signals a page may send only in part.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Partial {
    query: String,
    page: u32,
    only_open: bool,
}

async fn partial(ReadSignals(p): ReadSignals<Partial>) -> String {
    format!("{:?}:{}:{}", p.query, p.page, p.only_open)
}

async fn unchecked(ReadSignalsUnchecked(f): ReadSignalsUnchecked<Form>) -> String {
    format!("{}:{}", f.name, f.inner.count)
}

async fn optional(s: Option<ReadSignals<serde_json::Value>>) -> String {
    match s {
        Some(ReadSignals(v)) => v.to_string(),
        None => "no datastar request".into(),
    }
}

async fn serve() -> String {
    let app = Router::new()
        .route(
            "/f",
            get(handler)
                .post(handler)
                .delete(handler)
                .put(handler)
                .patch(handler)
                .head(handler)
                .options(handler),
        )
        .route(
            "/unchecked",
            get(unchecked)
                .post(unchecked)
                .delete(unchecked)
                .put(unchecked)
                .patch(unchecked),
        )
        .route("/opt", get(optional).post(optional))
        .route("/flat", get(flat).post(flat).delete(flat).put(flat))
        .route("/partial", get(partial).post(partial))
        .route(
            "/small",
            axum::routing::post(handler).layer(axum::Extension(SignalsLimit(16))),
        );
    common::base_url(app).await
}

#[tokio::test]
async fn reads_signals_from_query_or_body_and_rejects_clearly() {
    let base = serve().await;
    let c = reqwest::Client::new();
    let good = r#"{"name":"a b","inner":{"count":2}}"#;
    let q = |s: &str| format!("{base}/f?datastar={}", urlencoding::encode(s));

    let ds = |r: reqwest::RequestBuilder| r.header("datastar-request", "true");
    let json = |r: reqwest::RequestBuilder| {
        r.header("datastar-request", "true")
            .header("content-type", "application/json")
    };

    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (c.get(q(good)), 200, "a b:2"),
        (ds(c.delete(q(good))), 200, "a b:2"),
        (json(c.post(format!("{base}/f"))).body(good), 200, "a b:2"),
        (json(c.put(format!("{base}/f"))).body(good), 200, "a b:2"),
        (
            c.get(format!("{base}/f")),
            400,
            "`datastar` query parameter",
        ),
        (
            c.get(format!("{base}/f?datastar=%FF%FE")),
            400,
            "not valid percent-encoded UTF-8",
        ),
        (
            c.get(q("{\"name\":")),
            400,
            "not valid JSON: EOF while parsing",
        ),
        (
            c.get(q(r#"{"name":"x","inner":{"count":"two"}}"#)),
            422,
            "at `inner.count`",
        ),
        (
            c.get(q(r#"{"name":"x","inner":{}}"#)),
            422,
            "missing field `count`",
        ),
        (
            json(c.post(format!("{base}/opt"))).body("[".repeat(100_000)),
            400,
            "recursion limit",
        ),
        (
            ds(c.post(format!("{base}/f")))
                .header("content-type", "text/plain")
                .body(good),
            415,
            "Content-Type: application/json",
        ),
        (
            json(c.post(format!("{base}/small"))).body(good),
            413,
            "limit of 16 bytes",
        ),
        (
            json(c.post(format!("{base}/f"))).body(vec![b'"'; 2 * 1024 * 1024]),
            413,
            "limit of 1048576 bytes",
        ),
    ];
    for (i, (req, status, needle)) in cases.into_iter().enumerate() {
        let r = req.send().await.unwrap();
        let got = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(got, status, "case {i}: {body}");
        assert!(body.contains(needle), "case {i}: {body:?} lacks {needle:?}");
    }

    let r = c
        .get(format!("{base}/opt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(r, "no datastar request");
    let r = c
        .get(format!("{base}/opt?datastar=%7B%22a%22%3A1%7D"))
        .header("datastar-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(r, r#"{"a":1}"#);
}

/// The cross-site request check, method by method: a request that changes state is read only
/// with `Datastar-Request: true` (403 otherwise, before the body is read), and a body only
/// with a JSON content type (415 for none at all, which a cross-site `fetch` could send without
/// a preflight).
#[tokio::test]
async fn state_changing_requests_need_the_datastar_header() {
    let base = serve().await;
    let c = reqwest::Client::new();
    let good = r#"{"name":"n","inner":{"count":1}}"#;
    let query = format!("?datastar={}", urlencoding::encode(good));
    let methods = [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
    ];
    for method in methods {
        let url = |path: &str| {
            if method == reqwest::Method::DELETE {
                format!("{base}{path}{query}")
            } else {
                format!("{base}{path}")
            }
        };
        let send = |req: reqwest::RequestBuilder| async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        };
        let cases = [
            // (header value, content type, status, body contains)
            (
                None,
                Some("application/json"),
                403,
                "Datastar-Request: true",
            ),
            (
                Some("false"),
                Some("application/json"),
                403,
                "Datastar-Request",
            ),
            (Some("1"), Some("application/json"), 403, "Datastar-Request"),
            (Some("true"), Some("application/json"), 200, "n:1"),
            (Some("TRUE"), Some("application/json"), 200, "n:1"),
        ];
        for (i, (header, ct, status, needle)) in cases.into_iter().enumerate() {
            let mut req = c.request(method.clone(), url("/f")).body(good);
            if let Some(h) = header {
                req = req.header("datastar-request", h);
            }
            if let Some(ct) = ct {
                req = req.header("content-type", ct);
            }
            let (got, body) = send(req).await;
            assert_eq!(got, status, "{method} case {i}: {body}");
            assert!(body.contains(needle), "{method} case {i}: {body:?}");
            assert!(!body.contains("panicked"), "{body}");
        }
        if method != reqwest::Method::DELETE {
            // No content type at all: the body is not read, with or without the header.
            let req = c
                .request(method.clone(), url("/f"))
                .header("datastar-request", "true")
                .body(good);
            let (got, body) = send(req).await;
            assert_eq!(
                (got, body.contains("found `(none)`")),
                (415, true),
                "{method}: {body}"
            );
            let req = c.request(method.clone(), url("/unchecked")).body(good);
            let (got, body) = send(req).await;
            assert_eq!(got, 415, "{method} unchecked, no content type: {body}");
        }
        // The explicit opt-out reads without the header.
        let req = c
            .request(method.clone(), url("/unchecked"))
            .header("content-type", "application/json")
            .body(good);
        let (got, body) = send(req).await;
        assert_eq!((got, body.as_str()), (200, "n:1"), "{method} unchecked");
    }

    // Safe methods are read without the header.
    let r = c.get(format!("{base}/f{query}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    for method in [reqwest::Method::HEAD, reqwest::Method::OPTIONS] {
        let r = c
            .request(method.clone(), format!("{base}/f"))
            .header("content-type", "application/json")
            .body(good)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{method}");
    }
}

/// The client's `contentType: 'form'`: the form's fields as a url-encoded body (POST, PUT, …) or
/// as the query (GET, DELETE), read into the same typed struct.
#[tokio::test]
async fn form_encoded_signals_read_into_the_same_struct() {
    let base = serve().await;
    let c = reqwest::Client::new();
    let form = "name=a+b%26c&count=-3&done=true";
    let send = |req: reqwest::RequestBuilder| async move {
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    let body = |m: reqwest::Method| {
        c.request(m, format!("{base}/flat"))
            .header("datastar-request", "true")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
    };
    let want = (200, "a b&c:-3:true".to_owned());
    assert_eq!(send(body(reqwest::Method::POST)).await, want);
    assert_eq!(send(body(reqwest::Method::PUT)).await, want);
    let query = |m: reqwest::Method| {
        c.request(m, format!("{base}/flat?{form}"))
            .header("datastar-request", "true")
    };
    assert_eq!(send(query(reqwest::Method::GET)).await, want);
    assert_eq!(send(query(reqwest::Method::DELETE)).await, want);
    // JSON in the `datastar` parameter still wins on GET.
    let json = urlencoding::encode(r#"{"name":"j","count":1,"done":false}"#);
    let r = send(c.get(format!("{base}/flat?datastar={json}"))).await;
    assert_eq!(r, (200, "j:1:false".to_owned()));

    // A field that does not parse names itself.
    let (status, text) = send(
        c.post(format!("{base}/flat"))
            .header("datastar-request", "true")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=x&count=three&done=true"),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("`count`"), "{text}");
    // The CSRF check holds for forms, which any site can post: no header, no read.
    let (status, _) = send(
        c.post(format!("{base}/flat"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await;
    assert_eq!(status, 403);
    // Multipart is not read.
    let (status, text) = send(
        c.post(format!("{base}/flat"))
            .header("datastar-request", "true")
            .header("content-type", "multipart/form-data; boundary=x")
            .body("--x--"),
    )
    .await;
    assert_eq!(status, 415, "{text}");
}

/// Partial signals: `#[serde(default)]` fills what the page does not send, and the 422 for a
/// missing field says how to allow it.
#[tokio::test]
async fn partial_signals_take_defaults_and_the_422_says_how() {
    let base = serve().await;
    let c = reqwest::Client::new();
    let q = |s: &str| format!("{base}/partial?datastar={}", urlencoding::encode(s));
    let text = c
        .get(q(r#"{"page":2}"#))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, r#""":2:false"#);
    let text = c.get(q("{}")).send().await.unwrap().text().await.unwrap();
    assert_eq!(text, r#""":0:false"#);

    let r = c
        .get(format!(
            "{base}/f?datastar={}",
            urlencoding::encode(r#"{"inner":{"count":1}}"#)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("missing field `name`"), "{text}");
    assert!(text.contains("#[serde(default)]"), "{text}");
}
