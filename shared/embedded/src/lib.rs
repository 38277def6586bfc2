//! Embedded adapters: everything Marelle needs on one machine, with no
//! service to run beside it. A real deployment option, not a mock.

pub mod blobs;
pub mod bus;
pub mod outbox;
pub mod sqlite;

pub use blobs::FolderBlobs;
pub use bus::InProcessBus;
pub use outbox::Outbox;
pub use sqlite::SqliteStore;
