//! Colours and short labels: the one place that decides how a message kind,
//! a node or a log category looks. Later message kinds (handoff, gossip,
//! Merkle) get their colour here and nowhere else.

use ratatui::style::{Color, Modifier, Style};

use crate::core::ids::NodeId;
use crate::core::message::MsgKind;

/// How a message kind is drawn: its colour and a short label for legends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindLook {
    pub color: Color,
    pub label: &'static str,
    /// At most six columns, for the ring's legend.
    pub short: &'static str,
}

/// The look of every message kind. The match is exhaustive on purpose: a
/// new kind does not compile until it has a colour.
pub fn kind_look(kind: MsgKind) -> KindLook {
    let (color, label, short) = match kind {
        MsgKind::ClientRequest => (Color::Cyan, "request", "req"),
        MsgKind::Forward => (Color::LightCyan, "forward", "fwd"),
        MsgKind::ClientReply => (Color::Green, "reply", "reply"),
        MsgKind::ForwardReply => (Color::LightGreen, "fwd-reply", "fwd↩"),
        MsgKind::Replicate => (Color::Yellow, "replicate", "repl"),
        MsgKind::Ack => (Color::LightYellow, "ack", "ack"),
        MsgKind::Read => (Color::Blue, "read", "read"),
        MsgKind::ReadReply => (Color::LightBlue, "read-reply", "read↩"),
        MsgKind::ReadRepair => (Color::Magenta, "repair", "repair"),
        MsgKind::Handoff => (Color::Indexed(213), "handoff", "hand"),
        MsgKind::HandoffAck => (Color::Indexed(219), "handoff-ack", "hand↩"),
        MsgKind::Gossip => (Color::Indexed(245), "gossip", "gossip"),
        MsgKind::GossipReply => (Color::Indexed(242), "gossip-reply", "goss↩"),
        MsgKind::Transfer => (Color::Indexed(208), "transfer", "xfer"),
        MsgKind::TransferAck => (Color::Indexed(180), "transfer-ack", "xfer↩"),
        MsgKind::Merkle => (Color::Indexed(77), "merkle", "merkle"),
    };
    KindLook { color, label, short }
}

/// The kinds shown in the ring's legend, in the order a request meets them.
pub const LEGEND: &[MsgKind] = &[
    MsgKind::ClientRequest,
    MsgKind::Replicate,
    MsgKind::Ack,
    MsgKind::Read,
    MsgKind::ReadReply,
    MsgKind::ReadRepair,
    MsgKind::ClientReply,
    MsgKind::Handoff,
    MsgKind::Gossip,
    MsgKind::Transfer,
    MsgKind::Merkle,
];

/// Gossip's kinds: the messages the `g` key hides from the ring and the log.
pub fn is_gossip(kind: MsgKind) -> bool {
    matches!(kind, MsgKind::Gossip | MsgKind::GossipReply)
}

/// Where a dropped message died.
pub const DROP: Color = Color::LightRed;

/// Node colours, cycled by node index: distinct from each other and readable
/// on dark and light backgrounds.
const NODE_COLORS: [Color; 12] = [
    Color::Indexed(203), // red
    Color::Indexed(78),  // green
    Color::Indexed(221), // yellow
    Color::Indexed(75),  // blue
    Color::Indexed(176), // magenta
    Color::Indexed(80),  // cyan
    Color::Indexed(215), // orange
    Color::Indexed(147), // lavender
    Color::Indexed(114), // light green
    Color::Indexed(210), // salmon
    Color::Indexed(117), // sky
    Color::Indexed(186), // khaki
];

/// A dead node's colour: dimmed whatever its own colour.
pub const DEAD: Color = Color::DarkGray;

pub fn node_color(node: NodeId) -> Color {
    NODE_COLORS[node.index() % NODE_COLORS.len()]
}

/// A node's colour given whether it is alive.
pub fn node_color_alive(node: NodeId, alive: bool) -> Color {
    if alive { node_color(node) } else { DEAD }
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn title() -> Style {
    Style::new().fg(Color::White).add_modifier(Modifier::BOLD)
}

pub fn focused_border() -> Style {
    Style::new().fg(Color::LightCyan)
}

pub fn border() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn caption() -> Style {
    Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD)
}

pub fn pass() -> Style {
    Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD)
}

pub fn fail() -> Style {
    Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD)
}

pub fn error() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn key_hint() -> Style {
    Style::new().fg(Color::LightCyan).add_modifier(Modifier::BOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_colour_and_label() {
        let looks: Vec<KindLook> = MsgKind::ALL.iter().map(|&k| kind_look(k)).collect();
        assert!(looks.iter().all(|l| l.short.chars().count() <= 6));
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert_ne!(a.color, b.color, "{a:?} and {b:?} share a colour");
                assert_ne!(a.label, b.label);
                assert_ne!(a.short, b.short);
            }
        }
    }

    #[test]
    fn dead_nodes_are_dimmed() {
        assert_eq!(node_color_alive(NodeId(0), false), DEAD);
        assert_ne!(node_color_alive(NodeId(0), true), DEAD);
        assert_ne!(node_color(NodeId(0)), node_color(NodeId(1)));
    }
}
