//! The long-lived services a running server hands to its request handlers.

use crate::attachment::files::AttachmentFiles;
use crate::attachment::AttachmentLimits;
use crate::clock::SharedClock;
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
}

impl Services {
    pub fn new(
        store: Store,
        clock: SharedClock,
        search: SearchService,
        attachments: AttachmentFiles,
    ) -> Self {
        let scheduler = WindowScheduler::new(store.clone(), clock.clone());
        Self {
            store,
            clock,
            scheduler,
            search,
            attachments,
            attachment_limits: AttachmentLimits::default(),
        }
    }
}
