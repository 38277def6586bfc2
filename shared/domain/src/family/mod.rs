//! The family file: the dossier the commune holds, its changes, new
//! families and imports, and the codes that link accounts to it.

pub mod changes;
pub mod codes;
pub mod fields;
pub mod history;
pub mod import;
pub mod model;
pub mod new;

pub use changes::{ChangeSet, ChildPatch, FamilyPatch, GuardianPatch, PatchError, Target};
pub use model::*;
pub use new::{NewChild, NewFamily, NewGuardian, ValidFamily};
