//! Activities, enrolments and the planning: what a child is enrolled in,
//! what the family asked for each day, and the rules of those requests.

pub mod activity;
pub mod rules;
pub mod slots;

pub use activity::{
    Activity, Closure, Enrolment, MissingDocument, NewActivity, Period, Validation, Weekday,
};
pub use rules::{PlanningState, Refusal};
pub use slots::{
    Blocked, Held, PlaceChange, Places, Slot, SlotEvent, SlotState, Transition, transition,
};
