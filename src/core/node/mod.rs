//! The node state machine, sans IO.
//!
//! A [`Node`] owns one replica's storage, the hints it keeps for others, its
//! membership view and the requests it coordinates. The engine feeds it
//! inputs (a message, a timer firing, a settings change) together with the
//! current virtual time and carries out the effects it leaves in the
//! [`Outbox`]. It never touches a socket, a clock or a global random number
//! generator (its own generator is seeded by the engine), so the same inputs
//! always produce the same effects: see [`Node`] for the whole contract.
//!
//! The work is split by role: [`routing`] decides who coordinates a client
//! request, [`put`] and [`get`] coordinate (with [`slots`] placing copies,
//! [`coordinated`] holding what the two share and [`answer`] sending their
//! one reply), [`replica`] answers coordinators, [`storing`] lands every
//! version this node keeps and notes what it overwrote, [`handoff`] returns
//! hints, [`gossip`] keeps the membership view, [`transfer`] streams keys a
//! node no longer owns to their new owners and [`anti_entropy`] compares
//! the Merkle trees of [`forest`].
//!
//! What those files share lives in leaf files of its own, never here:
//! [`machine`] is the [`Node`] itself (its state and its `handle_*` entry
//! points), [`timer`] its timers and outbox, [`disk`] what survives a crash
//! and [`pending`] the work under way it keeps in memory. This file only
//! declares the modules and re-exports what the rest of the crate uses.

mod answer;
mod anti_entropy;
mod coordinated;
mod disk;
mod forest;
mod get;
mod gossip;
mod handoff;
mod machine;
mod pending;
mod put;
mod replica;
mod routing;
mod slots;
mod storing;
mod timer;
mod transfer;

pub use disk::Disk;
pub use forest::{Forest, MerkleTop};
pub use handoff::HANDOFF_BATCH;
pub use machine::Node;
pub use pending::{ForwardState, GetState, PutState};
pub use put::MAX_ROUNDS;
pub use routing::forward_timeout;
pub use timer::{NodeOutbox, NodeTimer};

#[cfg(test)]
mod tests;
