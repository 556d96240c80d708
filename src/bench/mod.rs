//! `ringside bench`: figures that hold the implementation to its targets.
//! Each section prints what it measured and how that compares to its
//! baseline or theory, measured in the same run.

pub mod gossip;
