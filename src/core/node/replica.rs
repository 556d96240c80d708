//! The replica side: store what a coordinator sends (or keep it as a hint
//! for its owner), answer reads, accept repairs.

use super::machine::{Node, Replicate};
use super::timer::NodeOutbox;

use crate::core::ids::Endpoint;
use crate::core::membership::MemberStatus;
use crate::core::message::{Message, ReqId};
use crate::core::trace::StoreCause;
use crate::core::version::{Key, Version};

impl Node {
    /// A coordinator's copy of a write: `versions` to keep, `context` what
    /// the client had seen, and with a hint, the owner it is kept for.
    pub(super) fn on_replicate(&mut self, from: Endpoint, replicate: Replicate, out: &mut NodeOutbox) {
        let Replicate {
            req,
            key,
            versions,
            context,
            hint,
        } = replicate;
        let (versions, context) = (&versions[..], &context);
        match hint {
            Some(owner) if owner != self.id => {
                for v in versions {
                    self.keep_hint(owner, &key, v, out);
                }
            }
            _ => self.store_written(&key, versions, context, StoreCause::Replicate, out),
        }
        // Acknowledge even when the version was already covered: the
        // coordinator only needs to know that this replica has it.
        out.send(from, Message::Ack { req });
    }

    /// A coordinator asks what this node holds. Under a strict quorum only an
    /// owner's answer may count: a node whose ring changed (a join, or a
    /// leave, its own included) and that no longer owns the key in its own
    /// view stays silent, because once it has handed the key on it holds
    /// nothing, and a coordinator that has not heard of the change would
    /// count that empty answer toward R. Under a sloppy quorum any node
    /// answers, as a stand-in does.
    pub(super) fn on_read(&mut self, from: Endpoint, req: ReqId, key: &str, out: &mut NodeOutbox) {
        let moved = self.view_changed || self.membership.own_status() != MemberStatus::Normal;
        if !self.settings.sloppy_quorum && moved && !self.preference_list(key).contains(&self.id) {
            return;
        }
        let versions = self.local_versions(key);
        out.send(from, Message::ReadReply { req, versions });
    }

    pub(super) fn on_repair(&mut self, key: &Key, versions: &[Version], out: &mut NodeOutbox) {
        self.store_versions(key, versions, StoreCause::Repair, out);
    }
}
