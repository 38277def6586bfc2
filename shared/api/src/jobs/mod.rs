//! Background work, outside any HTTP request: the e-mails sent from bus
//! events (`notify`), the twice-daily processing digest (`digest`) and the
//! polling of online payments (`payments`).

pub mod digest;
pub mod notify;
pub mod payments;
