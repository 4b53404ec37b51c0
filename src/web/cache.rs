//! What the type and model pages are made from, kept between requests: building the export
//! model of a large information model reads the graphs of every type it reaches, while the
//! page shows 50 of them. A kept model is used while the RDF projection has applied no newer
//! change than the one it was built at (any write makes every kept model stale).

use crate::types::Loaded;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most export models kept (about a page view's worth each; cleared whole when full).
const MAX_MODELS: usize = 32;

/// A kept model: the projection seq it was built at, and the model.
type Kept = (i64, Arc<Loaded>);

/// Export models by resource id and language, with the projection seq they were built at.
#[derive(Default)]
pub struct PageCache {
    models: Mutex<HashMap<(String, String), Kept>>,
}

impl PageCache {
    /// A kept model of `id` in `lang` built at `seq`, if any.
    pub fn model(&self, id: &str, lang: &str, seq: i64) -> Option<Arc<Loaded>> {
        let models = self.models.lock().ok()?;
        models
            .get(&(id.to_owned(), lang.to_owned()))
            .filter(|(built, _)| *built == seq)
            .map(|(_, loaded)| loaded.clone())
    }

    /// Keeps a model built at `seq`.
    pub fn keep(&self, lang: &str, seq: i64, loaded: Arc<Loaded>) {
        if let Ok(mut models) = self.models.lock() {
            if models.len() >= MAX_MODELS {
                models.clear();
            }
            models.insert((loaded.id.clone(), lang.to_owned()), (seq, loaded));
        }
    }
}
