//! The floor: the least a server can do for the fan-out scenario. No HTTP library, no task or
//! queue per client: a connection's request head is read, `GET /sse` is answered with the same
//! response head nitro sends and the socket joins a plain list (a `std` socket, out of tokio's
//! reactor); a `POST /publish` encodes the event once (the same bytes nitro sends, chunk
//! framing included) and makes one non-blocking `write` per client. A client whose write fails
//! or is short is dropped (and shows up as missing in the report).

use std::io::Write;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The response head of an SSE stream, as nitro writes it (without its `date`).
const SSE_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: keep-alive\r\nx-accel-buffering: no\r\ntransfer-encoding: chunked\r\n\r\n";

type Clients = Arc<Mutex<Vec<std::net::TcpStream>>>;

pub async fn serve(listener: TcpListener) {
    let clients = Clients::default();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(connection(stream, clients.clone()));
    }
}

async fn connection(mut stream: TcpStream, clients: Clients) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(1024);
    loop {
        let Some(end) = read_head(&mut stream, &mut buf).await else {
            return;
        };
        if buf.starts_with(b"GET /sse ") {
            if stream.write_all(SSE_HEAD).await.is_err() {
                return;
            }
            // Out of the reactor: from now on the socket is an fd in a list.
            if let Ok(std) = stream.into_std() {
                clients.lock().unwrap().push(std);
            }
            return;
        }
        if !buf.starts_with(b"POST /publish ") {
            let _ = stream
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        }
        let length = content_length(&buf[..end]);
        while buf.len() < end + length {
            match stream.read_buf(&mut buf).await {
                Ok(1..) => {}
                _ => return,
            }
        }
        let Ok(msg) = serde_json::from_slice::<super::Msg>(&buf[end..end + length]) else {
            return;
        };
        buf.drain(..end + length);
        let sent = publish(&clients, &chunk(&msg));
        let body = sent.to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The event nitro sends for `msg`, in its chunk framing: encoded once per publish.
fn chunk(msg: &super::Msg) -> Vec<u8> {
    use nitro::sse::Event;
    let event = super::nitro_server::event(msg).encode().unwrap();
    let mut chunk = format!("{:x}\r\n", event.len()).into_bytes();
    chunk.extend_from_slice(event.as_bytes());
    chunk.extend_from_slice(b"\r\n");
    chunk
}

/// One `write` per client; the clients it failed for are dropped. Returns how many got it.
fn publish(clients: &Clients, bytes: &[u8]) -> usize {
    let mut clients = clients.lock().unwrap();
    clients.retain_mut(|c| matches!(c.write(bytes), Ok(n) if n == bytes.len()));
    clients.len()
}

/// Reads until `buf` holds a whole head; returns where the head ends.
async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(i + 4);
        }
        if buf.len() > 16 * 1024 {
            return None;
        }
        match stream.read_buf(buf).await {
            Ok(1..) => {}
            _ => return None,
        }
    }
}

fn content_length(head: &[u8]) -> usize {
    let head = String::from_utf8_lossy(head);
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}
