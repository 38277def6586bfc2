//! Invoicing from the planning: the family's quotient familial, the
//! activities' tariffs, attendance marks, what a month bills for one family,
//! and the invoice numbers of a run. Pure functions, no I/O: the run's
//! store work (the counter, the writes, the e-mails) is built on top.
//! The rules as built, and why: `docs/invoicing.md`.
//!
//! Amounts are integer cents; a QF is integer euros.

pub mod attendance;
pub mod numbering;
pub mod qf;
pub mod run;
pub mod tariff;

pub use attendance::{BilledOn, DayOutcome, Mark, Planned, day_outcome};
pub use numbering::{
    IssuePlan, MAX_SEQUENCE, NumberingError, invoice_number, parse_invoice_number, plan_issue,
    run_key, valid_regie_code,
};
pub use qf::{MAX_QF_EUROS, Quotient, QuotientSource, qf_on};
pub use run::{
    ActivityBilling, AttendanceMark, BillLine, BillNote, BillingInputs, BillingMonth, ChildInput,
    CommuneClosure, Correction, FamilyBill, FamilyInput, LineKind, PlannedDay, Skip, SkipReason,
    bill_family,
};
pub use tariff::{
    Bracket, MAX_BRACKETS, MAX_PRICE_CENTS, MAX_VERSIONS, PriceBasis, Reduction, Tariff,
    TariffVersion, Unit, UnitPrice, reduce,
};
