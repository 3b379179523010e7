//! The long-lived services a running server hands to its request handlers.

use crate::attachment::files::AttachmentFiles;
use crate::attachment::AttachmentLimits;
use crate::clock::SharedClock;
use crate::form_token::FormTokenKey;
use crate::scheduler::WindowScheduler;
use crate::search::SearchService;
use crate::store::Store;

#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub clock: SharedClock,
    pub scheduler: WindowScheduler,
    pub search: SearchService,
    /// Where attached files are kept, and how many and how large they may be.
    pub attachments: AttachmentFiles,
    pub attachment_limits: AttachmentLimits,
    /// Signs and checks comment-form tokens.
    pub form_tokens: FormTokenKey,
    /// Wrong passwords by network and account, in this process's memory.
    pub sign_in_lockouts: std::sync::Arc<crate::lockouts::SignInLockouts>,
    /// The proof of work a form asks for when it asks for one (leading zero bits).
    pub proof_of_work_bits: u8,
    /// Comments stored (the campaign placement worker wakes) and senders awaiting a receipt
    /// (background writers give way to them).
    pub receipts: std::sync::Arc<crate::submission_queue::ReceiptSignals>,
}

impl Services {
    pub fn new(
        store: Store,
        clock: SharedClock,
        search: SearchService,
        attachments: AttachmentFiles,
        form_tokens: FormTokenKey,
    ) -> Self {
        let scheduler = WindowScheduler::new(store.clone(), clock.clone());
        Self {
            store,
            clock,
            scheduler,
            search,
            attachments,
            attachment_limits: AttachmentLimits::default(),
            form_tokens,
            sign_in_lockouts: Default::default(),
            proof_of_work_bits: crate::proof_of_work::DEFAULT_BITS,
            receipts: Default::default(),
        }
    }
}
