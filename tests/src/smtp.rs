//! A real SMTP receiver on loopback for the tests that check what Canal e-mails:
//! mailin speaks the server side of SMTP, one thread per connection, and
//! mail-parser decodes what arrived. Shared by the server's API tests (included by
//! path) and the end-to-end tests.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use canal_server::mail::MailOptions;

/// A mail as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// An SMTP server on loopback: mailin speaks the protocol, one thread per
/// connection; what arrives is decoded by mail-parser. While `refusing`, it answers
/// every mail with 451 (a failure that may pass). The threads end with the test
/// process.
pub struct Receiver {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Received>>>,
    /// While true, every mail is answered with 451.
    pub refusing: Arc<AtomicBool>,
}

#[derive(Clone)]
struct Handler {
    mails: Arc<Mutex<Vec<Received>>>,
    refusing: Arc<AtomicBool>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin::Handler for Handler {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin::Response {
        if self.refusing.load(Ordering::SeqCst) {
            return mailin::response::INTERNAL_ERROR;
        }
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn rcpt(&mut self, to: &str) -> mailin::Response {
        if to.starts_with("nobody@") {
            mailin::response::NO_MAILBOX
        } else {
            mailin::response::OK
        }
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        let parsed = mail_parser::MessageParser::default().parse(&self.data[..]);
        let Some(message) = parsed else {
            return mailin::response::TRANSACTION_FAILED;
        };
        let received = Received {
            from: self.from.clone(),
            to: self.to.clone(),
            subject: message.subject().unwrap_or_default().to_owned(),
            body: message
                .body_text(0)
                .unwrap_or_default()
                .replace("\r\n", "\n"),
        };
        self.mails.lock().expect("mails").push(received);
        mailin::response::OK
    }
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP receiver");
        let addr = listener.local_addr().expect("address");
        let handler = Handler {
            mails: Arc::default(),
            refusing: Arc::default(),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let receiver = Receiver {
            addr,
            mails: handler.mails.clone(),
            refusing: handler.refusing.clone(),
        };
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = handler.clone();
                std::thread::spawn(move || session(stream, handler));
            }
        });
        receiver
    }

    /// Options that send to this receiver, answers at once, retries after 200 ms.
    pub fn options(&self) -> MailOptions {
        let mut options = MailOptions::new(
            format!("smtp://{}", self.addr),
            "Shop support <support@shop.example>",
        );
        options.reply_delay = Duration::ZERO;
        options.retry_after = Duration::from_millis(200);
        options
    }

    /// Waits (up to a deadline) until `n` mails have arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails = self.mails.lock().expect("mails").clone();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "{n} mails did not arrive: {mails:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// How many mails arrived.
    pub fn count(&self) -> usize {
        self.mails.lock().expect("mails").len()
    }
}

/// One SMTP connection, driven line by line through mailin's session.
fn session(stream: TcpStream, handler: Handler) {
    let peer = stream
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut session = mailin::SessionBuilder::new("receiver.test").build(peer, handler);
    if session.greeting().write_to(&mut writer).is_err() {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::NoReply => {}
            mailin::Action::Reply => {
                if response.write_to(&mut writer).is_err() || writer.flush().is_err() {
                    return;
                }
            }
            mailin::Action::Close | mailin::Action::UpgradeTls => {
                let _ = response.write_to(&mut writer);
                return;
            }
        }
    }
}
