//! Where gossip messages are shown. Gossip is constant background traffic
//! (every node, every second, four log lines per exchange), so by default
//! it moves on the ring, where it shows the cluster breathing, but stays out
//! of the log, where it would bury the story; `g` cycles to hiding it
//! everywhere and to listing it in the log too.

/// Where gossip messages appear.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GossipShown {
    /// On the ring, not in the log (unless the filter asks for gossip).
    #[default]
    Ring,
    /// Neither on the ring nor in the log.
    Nowhere,
    /// On the ring and in the log.
    Everywhere,
}

impl GossipShown {
    /// The next state of the `g` key.
    pub fn next(self) -> GossipShown {
        match self {
            GossipShown::Ring => GossipShown::Nowhere,
            GossipShown::Nowhere => GossipShown::Everywhere,
            GossipShown::Everywhere => GossipShown::Ring,
        }
    }

    pub fn on_ring(self) -> bool {
        self != GossipShown::Nowhere
    }

    pub fn in_log(self) -> bool {
        self == GossipShown::Everywhere
    }

    /// What the notice says after `g`.
    pub fn describe(self) -> &'static str {
        match self {
            GossipShown::Ring => "gossip on the ring only, not in the log (g: hide it everywhere)",
            GossipShown::Nowhere => "gossip hidden from the ring and the log (g: show it in both)",
            GossipShown::Everywhere => "gossip on the ring and in the log (g: ring only)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_cycles_through_three_states_from_ring_only() {
        let s = GossipShown::default();
        assert!(s.on_ring() && !s.in_log());
        let s = s.next();
        assert!(!s.on_ring() && !s.in_log());
        let s = s.next();
        assert!(s.on_ring() && s.in_log());
        assert_eq!(s.next(), GossipShown::default());
    }
}
