//! The replica side: store what a coordinator sends (or keep it as a hint
//! for its owner), answer reads, accept repairs.

use super::{Node, NodeOutbox};
use crate::core::clock::VClock;
use crate::core::ids::{Endpoint, NodeId};
use crate::core::message::{Message, ReqId};
use crate::core::trace::StoreCause;
use crate::core::version::{Key, Version};

impl Node {
    pub(super) fn on_replicate(
        &mut self,
        from: Endpoint,
        req: ReqId,
        key: Key,
        versions: &[Version],
        context: &VClock,
        hint: Option<NodeId>,
        out: &mut NodeOutbox,
    ) {
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

    pub(super) fn on_read(&mut self, from: Endpoint, req: ReqId, key: &str, out: &mut NodeOutbox) {
        let versions = self.local_versions(key);
        out.send(from, Message::ReadReply { req, versions });
    }

    pub(super) fn on_repair(&mut self, key: &Key, versions: &[Version], out: &mut NodeOutbox) {
        self.store_versions(key, versions, StoreCause::Repair, out);
    }
}
