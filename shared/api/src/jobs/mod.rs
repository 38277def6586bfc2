//! Background work, outside any HTTP request: the e-mails sent from bus
//! events (`notify`) and the twice-daily processing digest (`digest`).

pub mod digest;
pub mod notify;
