//! Ports: small traits split by capability. Each has an embedded adapter
//! (`marelle-embedded`) and an AWS adapter (`marelle-aws`); one conformance
//! suite (`marelle-testkit`) runs against both.

pub mod blobs;
pub mod bus;
pub mod clock;
pub mod ids;
pub mod mailer;
pub mod payments;
pub mod store;

pub use blobs::{BlobError, Blobs, PresignedUpload};
pub use bus::{BusError, Event, EventBus, EventHandler};
pub use clock::{Clock, SettableClock, SystemClock};
pub use ids::IdGenerator;
pub use mailer::{MailError, Mailer, OutgoingEmail};
pub use payments::{
    CreatedPayment, PaymentDetail, PaymentError, PaymentOrder, PaymentProvider, PaymentResult,
};
pub use store::{
    Condition, Cursor, Index, Item, Key, Page, Query, SkCondition, Store, StoreError, Update, Write,
};
