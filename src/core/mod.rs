//! The pure core: ring, clocks, versions, storage and the node and client
//! state machines. Nothing here knows about tokio, wall clocks, global
//! randomness or I/O; the engine drives it with explicit virtual time.

pub mod client;
pub mod clock;
pub mod config;
pub mod deadlines;
pub mod dots;
pub mod hash;
pub mod hints;
pub mod ids;
pub mod membership;
pub mod merkle;
pub mod message;
pub mod node;
pub mod notice;
pub mod outbox;
pub mod phi;
pub mod plural;
pub mod ring;
pub mod ring_views;
pub mod store;
pub mod time;
pub mod trace;
pub mod version;
