//! What a step may name while it is parsed: the cluster's nodes (and those
//! its steps join), and, while a preset loads, the [`Plan`] of what each
//! step will find. The context is handed to the parser explicitly (see
//! [`super::seeded`]), never kept in a thread-local.

use super::noderef::NodeRef;
use super::plan::Plan;

/// What a preset or command may name: the cluster's nodes (and those its
/// steps join), and how many nodes there can be for `KEY#I`. While a preset
/// loads it also carries the [`Plan`] its steps are checked against; the
/// playground's command line parses without one and is checked against the
/// live cluster when the step runs.
#[derive(Clone, Debug, Default)]
pub struct ParseContext {
    pub nodes: Vec<String>,
    pub max_nodes: usize,
    pub plan: Option<Plan>,
}

impl ParseContext {
    /// A context naming `nodes`, with `max_nodes` for `KEY#I`, and no plan.
    pub fn new(nodes: Vec<String>, max_nodes: usize) -> ParseContext {
        ParseContext {
            nodes,
            max_nodes,
            plan: None,
        }
    }

    /// Parses `text` as a node reference and checks it against this context.
    pub fn node(&self, text: &str) -> Result<NodeRef, String> {
        let parsed = NodeRef::parse(text)?;
        self.check(&parsed)?;
        Ok(parsed)
    }

    /// Registers a node that a step creates (a join), so later steps may name it.
    pub fn register(&mut self, name: &str) {
        if !self.knows(name) {
            self.nodes.push(name.to_string());
            self.max_nodes = self.max_nodes.max(self.nodes.len());
        }
    }

    /// True when this context knows a node named `name`.
    pub fn knows(&self, name: &str) -> bool {
        self.nodes.iter().any(|n| n == name)
    }

    /// Runs `f` on the plan, if a preset is being loaded.
    pub fn plan(&mut self, f: impl FnOnce(&mut Plan) -> Result<(), String>) -> Result<(), String> {
        self.plan.as_mut().map_or(Ok(()), f)
    }

    /// Checks `node` against the nodes a scenario can have.
    fn check(&self, node: &NodeRef) -> Result<(), String> {
        match node {
            NodeRef::Name(name) if !self.nodes.iter().any(|n| n == name) => Err(format!(
                "unknown node {name:?}; the nodes are {}, or KEY#I for the I-th node from a key",
                list_names(&self.nodes)
            )),
            NodeRef::Nth { key, index } if *index > self.max_nodes => Err(format!(
                "{key}#{index} is beyond the cluster: it has {} nodes, so I runs from 1 to {}",
                self.max_nodes, self.max_nodes
            )),
            _ => Ok(()),
        }
    }
}

/// The names, shortened when there are many.
fn list_names(names: &[String]) -> String {
    if names.len() > 8 {
        format!("{}, ..., {}", names[..3].join(", "), names[names.len() - 1])
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ParseContext {
        ParseContext::new(vec!["s1".into(), "s2".into(), "s3".into()], 3)
    }

    #[test]
    fn context_catches_unknown_names_and_positions_past_the_ring() {
        let mut cx = ctx();
        assert!(
            cx.node("s9")
                .unwrap_err()
                .contains("unknown node \"s9\"; the nodes are s1, s2, s3")
        );
        assert!(cx.node("cart#4").unwrap_err().contains("I runs from 1 to 3"));
        assert!(cx.node("cart#3").is_ok());
        cx.register("s4");
        assert!(cx.node("s4").is_ok());
        assert!(cx.node("cart#4").is_ok());
        assert!(NodeRef::parse("s9").is_ok(), "the syntax alone knows no nodes");
    }
}
