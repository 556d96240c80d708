//! What theory predicts for each experiment, computed without the engine:
//! closed forms and Monte Carlo over a model, one file per experiment, each
//! tested against known values.

pub mod detector;
pub mod gossip;
pub mod merkle;
