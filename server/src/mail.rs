//! Sending the e-mail the core queues (confirmation links and receipts) over SMTP
//! (`OPENDOCKET_SMTP_URL`), from one task per instance that wakes when a message is queued and
//! every half minute for messages queued by other instances or due for another try.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use opendocket_core::clock::SharedClock;
use opendocket_core::confirmation;
use opendocket_core::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The sentence for switching e-mail confirmation on where no mail can be sent.
pub const NO_MAIL: &str = "E-mail confirmation needs a way to send mail: set OPENDOCKET_SMTP_URL (and OPENDOCKET_MAIL_FROM) and restart the server. Nothing was changed.";

/// How often queued mail is looked for when no one says a message was queued.
const POLL: Duration = Duration::from_secs(30);

/// A way to send mail: the SMTP transport, who mail comes from, and a bell rung when mail is queued.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    queued: Arc<Notify>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

impl Mailer {
    /// `url` as lettre reads it (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`); `from` an address such as `OpenDocket <comments@agency.gov>`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("not an SMTP address lettre can use ({e})"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("not an e-mail address ({e})"))?;
        Ok(Self {
            transport,
            from,
            queued: Arc::new(Notify::new()),
        })
    }

    /// Says a message was queued in this process: it is sent now, not at the next poll.
    pub fn ring(&self) {
        self.queued.notify_one();
    }

    async fn send(&self, message: &confirmation::Message) -> Result<(), String> {
        let to = message
            .to
            .parse::<Mailbox>()
            .map_err(|e| format!("the address cannot take mail ({e})"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .body(message.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Sends due mail for ever.
    pub async fn run(self, store: Store, clock: SharedClock) {
        loop {
            if let Err(error) = self.send_due(&store, &clock).await {
                tracing::error!(%error, "could not read the mail waiting to be sent");
            }
            let wait = match store.next_mail_at().await {
                Ok(Some(next)) => (next - clock.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(POLL),
                _ => POLL,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait.max(Duration::from_millis(50))) => {}
                _ = self.queued.notified() => {}
            }
        }
    }

    /// Sends every message due now; one that fails is tried again later.
    pub async fn send_due(
        &self,
        store: &Store,
        clock: &SharedClock,
    ) -> Result<(), opendocket_core::store::StoreError> {
        loop {
            let now = clock.now();
            let due = store.due_mail(now, 20).await?;
            if due.is_empty() {
                return Ok(());
            }
            for mail in due {
                if !store.claim_mail(&mail, now).await? {
                    continue;
                }
                match self.send(&mail.message).await {
                    Ok(()) => store.forget_mail(mail.id).await?,
                    Err(error) => {
                        let again = store.mail_failed(&mail, clock.now()).await?;
                        tracing::warn!(mail = mail.id, %error, again, "could not send a message");
                    }
                }
            }
        }
    }
}
