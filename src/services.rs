//! The long-lived services a running server hands to its request handlers.

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
}

impl Services {
    pub fn new(store: Store, clock: SharedClock, search: SearchService) -> Self {
        let scheduler = WindowScheduler::new(store.clone(), clock.clone());
        Self {
            store,
            clock,
            scheduler,
            search,
        }
    }
}
