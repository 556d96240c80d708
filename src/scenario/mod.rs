//! Scenarios: the preset format, the step vocabulary shared with the TUI's
//! command line, expectations, and the director that plays steps on an
//! engine (headless or live).

pub mod bulk_timeline;
pub mod check;
pub mod command;
pub mod director;
pub mod expect;
pub mod headless;
pub mod history_run;
pub mod limits;
pub mod load;
pub mod noderef;
pub mod parse_context;
pub mod plan;
pub mod presets;
pub mod seeded;
pub mod session;
pub mod settings_patch;
pub mod step;
pub mod step_run;
pub mod text;
pub mod timeline;
pub mod traffic;
pub mod traffic_timeline;

pub use director::Director;
pub use load::{LoadError, Scenario};
pub use step::{Step, StepKind};
pub use step_run::StepRun;
