//! A tiny HTTP server on 127.0.0.1 for the endpoint client's tests: it records each request
//! and sends one canned answer (or none at all, to test timeouts).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line and headers, as sent.
    pub head: String,
    /// The body (the URL-encoded form).
    pub body: String,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The `query` field of the form, decoded.
    pub fn query(&self) -> String {
        self.body
            .split('&')
            .find_map(|pair| pair.strip_prefix("query="))
            .map(form_decode)
            .expect("a query= field")
    }
}

/// What the server answers.
#[derive(Clone)]
pub enum Answer {
    /// Status line (e.g. "500 Internal Server Error"), Content-Type and body.
    Http(&'static str, &'static str, String),
    /// Nothing, ever: the connection stays open and silent.
    Silence,
}

/// A running server; its URL and what it was sent.
pub struct Server {
    /// `http://127.0.0.1:PORT/sparql`.
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts a server that gives every request `answer`.
    pub fn start(answer: Answer) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/sparql", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (answer, seen) = (answer.clone(), Arc::clone(&seen));
                thread::spawn(move || serve(stream, &answer, &seen));
            }
        });
        Server { url, requests }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, answer: &Answer, seen: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = String::from_utf8(body).unwrap();
    seen.lock().unwrap().push(Request { head, body });
    let mut stream = stream;
    match answer {
        Answer::Http(status, content_type, body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Silence => thread::sleep(Duration::from_secs(60)),
    }
}

/// Decodes `application/x-www-form-urlencoded` text.
fn form_decode(text: &str) -> String {
    let mut bytes = Vec::new();
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex: String = input.by_ref().take(2).map(char::from).collect();
                bytes.push(u8::from_str_radix(&hex, 16).unwrap());
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).unwrap()
}
