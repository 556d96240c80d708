//! Exports of a run's trace to the tools people use to look at distributed
//! executions: a ShiViz log, a Mermaid sequence diagram, an SVG Lamport
//! diagram (`ringside run PRESET --export FORMAT FILE`).
//!
//! All three read one [`diagram::Diagram`], built from the trace alone.

pub mod diagram;
pub mod mermaid;
pub mod shiviz;
pub mod svg;

pub use diagram::{Diagram, Selection, participants};

/// The formats `--export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A ShiViz log (first line: the parsing regular expression).
    Shiviz,
    /// A Mermaid sequence diagram.
    Mermaid,
    /// An SVG Lamport diagram.
    Svg,
}

/// The export of `d` in `format`; `title` heads the SVG.
pub fn render(format: Format, d: &Diagram, names: &crate::core::ids::Names, title: &str) -> String {
    match format {
        Format::Shiviz => shiviz::render(d, names),
        Format::Mermaid => mermaid::render(d, names),
        Format::Svg => svg::render(d, names, title),
    }
}
