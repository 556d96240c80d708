//! Identifiers of the things that exchange messages, and the table that
//! turns them back into names.
//!
//! The core works with small integer ids so that clocks, messages and trace
//! events stay cheap to copy; names only matter when something is shown.

use std::fmt;
use std::sync::Arc;

/// A node of the cluster: an index into the cluster's name table, in the
/// order the nodes were declared (and joined). Vector clocks list their
/// entries in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeId(pub u16);

/// A named client (alice, bob, ...): it keeps its own contexts per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClientId(pub u16);

/// One client operation (a get or a put), unique for the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OpId(pub u64);

/// One message on the simulated network, unique for the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MsgId(pub u64);

/// Something that can send or receive a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Node(NodeId),
    Client(ClientId),
}

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl ClientId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl Endpoint {
    pub fn node(self) -> Option<NodeId> {
        match self {
            Endpoint::Node(n) => Some(n),
            Endpoint::Client(_) => None,
        }
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op{}", self.0)
    }
}

/// The names of nodes and clients, indexed by their ids.
#[derive(Clone, Debug, Default)]
pub struct Names {
    nodes: Vec<Arc<str>>,
    clients: Vec<Arc<str>>,
}

impl Names {
    pub fn new(nodes: impl IntoIterator<Item = impl Into<Arc<str>>>) -> Self {
        Names {
            nodes: nodes.into_iter().map(Into::into).collect(),
            clients: Vec::new(),
        }
    }

    pub fn node(&self, id: NodeId) -> &str {
        self.nodes.get(id.index()).map_or("?", |s| s)
    }

    pub fn client(&self, id: ClientId) -> &str {
        self.clients.get(id.index()).map_or("?", |s| s)
    }

    pub fn endpoint(&self, e: Endpoint) -> &str {
        match e {
            Endpoint::Node(n) => self.node(n),
            Endpoint::Client(c) => self.client(c),
        }
    }

    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| &**n == name).map(|i| NodeId(i as u16))
    }

    pub fn client_id(&self, name: &str) -> Option<ClientId> {
        self.clients
            .iter()
            .position(|n| &**n == name)
            .map(|i| ClientId(i as u16))
    }

    /// The id of `name`, registering a new node when it is not known yet.
    pub fn add_node(&mut self, name: &str) -> NodeId {
        if let Some(id) = self.node_id(name) {
            return id;
        }
        self.nodes.push(name.into());
        NodeId((self.nodes.len() - 1) as u16)
    }

    /// The id of client `name`, registering it on first use.
    pub fn add_client(&mut self, name: &str) -> ClientId {
        if let Some(id) = self.client_id(name) {
            return id;
        }
        self.clients.push(name.into());
        ClientId((self.clients.len() - 1) as u16)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(|i| NodeId(i as u16))
    }

    pub fn node_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.nodes.iter().map(|s| &**s)
    }

    pub fn client_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.clients.iter().map(|s| &**s)
    }
}
