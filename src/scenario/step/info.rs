//! [`StepInfo`]: what the table of actions knows of each one (its name,
//! usage and help line, and how it reads its command-line words). Each
//! action's file defines its own; `mod.rs` lists them in `STEPS`.

use super::kind::StepKind;
use super::words::Word;
use crate::scenario::parse_context::ParseContext;

/// One action of the vocabulary: its name (the YAML key and the command
/// word), its command-line usage and its help line.
pub struct StepInfo {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
    pub(super) words: fn(&[Word], &mut ParseContext) -> Result<StepKind, String>,
}
