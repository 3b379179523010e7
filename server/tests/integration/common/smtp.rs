//! A small SMTP server on loopback for the e-mail tests: it accepts every message and keeps it.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct TestSmtp {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
}

impl TestSmtp {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 test ESMTP\r\n").await.ok()?;
                    let mut data: Option<String> = None;
                    while let Some(line) = lines.next_line().await.ok()? {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                kept.lock().unwrap().push(std::mem::take(body));
                                data = None;
                                write.write_all(b"250 queued\r\n").await.ok()?;
                            } else {
                                body.push_str(&line);
                                body.push('\n');
                            }
                            continue;
                        }
                        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 test\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok()?;
                                return Some(());
                            }
                            _ => b"250 OK\r\n",
                        };
                        write.write_all(answer).await.ok()?;
                    }
                    Some(())
                });
            }
        });
        Self { port, messages }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits (up to ten seconds) until `n` messages have arrived, and returns them all, with
    /// quoted-printable soft line breaks undone.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let messages = self.messages.lock().unwrap().clone();
            if messages.len() >= n {
                return messages
                    .into_iter()
                    .map(|m| m.replace("=\n", "").replace("=3D", "="))
                    .collect();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} messages arrived");
    }
}
