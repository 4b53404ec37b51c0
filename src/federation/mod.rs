//! Federation: what lets instances follow each other. This part holds the instance's own
//! description (a stable id, generated once and kept in the store, and the epoch of its change
//! log) and the live change feed: pages of the log with what a follower needs of each change,
//! long-polling, and Server-Sent Events. Peers and webhooks build on it.

pub mod feed;
pub mod instance;

pub use feed::{FeedChange, FeedFilter, FeedPage};
pub use instance::Instance;
