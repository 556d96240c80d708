//! What theory predicts for each experiment, computed without the engine:
//! closed forms and Monte Carlo over a model, one file per experiment, each
//! tested against known values.

pub mod balance;
pub mod binomial;
pub mod detector;
pub mod gossip;
pub mod merkle;
pub mod quorum;
pub mod staleness;

pub use binomial::choose;
