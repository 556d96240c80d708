//! The replica side: store what a coordinator sends, answer its reads,
//! accept repairs.

use super::{Node, NodeOutbox};
use crate::core::ids::Endpoint;
use crate::core::message::{Message, ReqId};
use crate::core::trace::StoreCause;
use crate::core::version::{Key, Version};

impl Node {
    pub(super) fn on_replicate(
        &mut self,
        from: Endpoint,
        req: ReqId,
        key: Key,
        version: Version,
        out: &mut NodeOutbox,
    ) {
        self.store_versions(&key, std::slice::from_ref(&version), StoreCause::Replicate, out);
        // Acknowledge even when the version was already covered: the
        // coordinator only needs to know that this replica has it.
        out.send(from, Message::Ack { req });
    }

    pub(super) fn on_read(&mut self, from: Endpoint, req: ReqId, key: &str, out: &mut NodeOutbox) {
        let versions = self.store.versions(key).iter().cloned().collect();
        out.send(from, Message::ReadReply { req, versions });
    }

    pub(super) fn on_repair(&mut self, key: &Key, versions: &[Version], out: &mut NodeOutbox) {
        self.store_versions(key, versions, StoreCause::Repair, out);
    }
}
