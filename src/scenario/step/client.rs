//! The client a step names: the default one, and the check every named
//! client passes.

/// The client a step uses when it names none.
pub const DEFAULT_CLIENT: &str = "client";

/// The client a step names, or the default; checked like a node name.
pub(super) fn client_name(client: Option<String>) -> Result<String, String> {
    let name = client.unwrap_or_else(|| DEFAULT_CLIENT.to_string());
    crate::engine::check_name(&name).map_err(|e| e.replace("node name", "client name"))?;
    Ok(name)
}
