//! No import cycle between the library's files (issue 19).
//!
//! Walks `src/` (the library: every file but `main.rs`, the binary's own
//! crate root) and reads two kinds of paths in each file (in `use`
//! declarations, `pub use` re-exports and brace groups included, and inline,
//! as in `crate::core::time::Dur::ZERO` or a macro's `$crate::…`):
//! - paths through `crate::`, `super::` and `self::`;
//! - paths relative to the file whose first segment is a child module the
//!   file declares with `mod x;` (`put::INFO`, `pub use put::PutStep`,
//!   `match … { … => put::start(…) }`), read as `self::put::…`: an edge from
//!   the parent file to the child's file. The `mod x;` declaration itself is
//!   not an edge.
//!
//! Each path resolves to the file that defines the longest module prefix of
//! it: `super::step::yaml::text` is `scenario/step/yaml.rs`, while
//! `super::Step`, from a child of `step/`, is the parent's `step/mod.rs`; so
//! a child that uses what its parent re-exports imports the parent.
//! Comments, string and char literals, and `#[cfg(test)] mod tests { … }`
//! blocks (of any visibility) are skipped.
//!
//! The test fails when a strongly connected component of that graph holds
//! more than one file, naming the files and, for each import inside the
//! component, the line that makes it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A module path from the crate root: `["scenario", "step", "yaml"]`.
type ModPath = Vec<String>;

/// One import: the line it stands on and its text.
#[derive(Clone, Debug)]
struct Import {
    line: usize,
    text: String,
}

/// A file of the library and what it imports.
struct File {
    path: PathBuf,
    /// Imported module files, each with the first line that names it.
    imports: BTreeMap<ModPath, Import>,
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module a file under `src/` defines: `scenario/step/mod.rs` is
/// `scenario::step`, `lib.rs` is the crate root.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).expect("a file under src/").with_extension("");
    let mut parts: ModPath = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// `text` with comments, string literals and char literals blanked out
/// (newlines kept, so that offsets keep their line numbers).
fn blank_comments_and_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = c.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for x in out.iter_mut().take(to.min(c.len())).skip(from) {
            if *x != '\n' {
                *x = ' ';
            }
        }
    };
    let ident = |x: char| x.is_alphanumeric() || x == '_';
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            let end = c[i..].iter().position(|x| *x == '\n').map_or(c.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            let mut j = i;
            while j < c.len() {
                if c[j] == '/' && c.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if c[j] == '*' && c.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if !prev_ident && (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r'))) && {
            let r = if c[i] == 'b' { i + 1 } else { i };
            let hashes = c[r + 1..].iter().take_while(|x| **x == '#').count();
            c.get(r + 1 + hashes) == Some(&'"')
        } {
            // A raw string: r"…", r#"…"#, br"…".
            let r = if c[i] == 'b' { i + 1 } else { i };
            let hashes = c[r + 1..].iter().take_while(|x| **x == '#').count();
            let body = r + 2 + hashes;
            let mut j = body;
            while j < c.len() {
                if c[j] == '"' && c[j + 1..].iter().take(hashes).filter(|x| **x == '#').count() == hashes {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            blank(&mut out, body, j.saturating_sub(1 + hashes));
            i = j;
        } else if c[i] == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i + 1, j);
            i = j + 1;
        } else if c[i] == '\'' && c.get(i + 1) == Some(&'\\') {
            let end = c[i + 2..]
                .iter()
                .position(|x| *x == '\'')
                .map_or(c.len(), |p| i + 2 + p);
            blank(&mut out, i + 1, end);
            i = end + 1;
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            blank(&mut out, i + 1, i + 2);
            i += 3;
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// `text` without its `#[cfg(test)] mod tests { … }` blocks (blanked, lines kept).
fn blank_test_modules(text: &str) -> String {
    const ATTR: &str = "#[cfg(test)]";
    let mut c: Vec<char> = text.chars().collect();
    let attr: Vec<char> = ATTR.chars().collect();
    let mut at = 0;
    while at + attr.len() <= c.len() {
        if c[at..at + attr.len()] != attr[..] {
            at += 1;
            continue;
        }
        let rest: String = c[at + attr.len()..].iter().collect();
        let rest = rest.trim_start();
        // Any visibility: `pub(crate) mod tests { … }` is a test module too.
        let rest = ["pub(crate)", "pub(super)", "pub"]
            .iter()
            .find_map(|v| rest.strip_prefix(v))
            .unwrap_or(rest)
            .trim_start();
        let is_tests = rest
            .strip_prefix("mod tests")
            .is_some_and(|r| r.trim_start().starts_with('{'));
        let Some(open) = c[at..]
            .iter()
            .position(|x| *x == '{')
            .map(|p| at + p)
            .filter(|_| is_tests)
        else {
            at += 1;
            continue;
        };
        let mut depth = 0;
        let mut end = c.len();
        for (j, x) in c.iter().enumerate().skip(open) {
            match x {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        for x in c.iter_mut().take(end).skip(at) {
            if *x != '\n' {
                *x = ' ';
            }
        }
        at = end;
    }
    c.into_iter().collect()
}

/// A little tokenizer for paths: identifiers, `::`, `{`, `}`, `,`, and
/// anything else as one character; each with its character offset.
fn tokens(text: &[char]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let x = text[i];
        if x.is_whitespace() {
            i += 1;
        } else if x.is_alphanumeric() || x == '_' {
            let start = i;
            while i < text.len() && (text[i].is_alphanumeric() || text[i] == '_') {
                i += 1;
            }
            out.push((start, text[start..i].iter().collect()));
        } else if x == ':' && text.get(i + 1) == Some(&':') {
            out.push((i, "::".into()));
            i += 2;
        } else {
            out.push((i, x.to_string()));
            i += 1;
        }
    }
    out
}

/// Reads the path tree starting at token `i` (just after `prefix::`),
/// pushing every full path it names onto `out`. Returns the index after it.
fn read_tree(toks: &[(usize, String)], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix;
    loop {
        match toks.get(i).map(|t| t.1.as_str()) {
            Some("{") => {
                i += 1;
                loop {
                    match toks.get(i).map(|t| t.1.as_str()) {
                        Some("}") => return i + 1,
                        Some(",") => i += 1,
                        None => return i,
                        Some(_) => i = read_tree(toks, i, path.clone(), out),
                    }
                }
            }
            Some("*") => {
                out.push(path);
                return i + 1;
            }
            Some(seg) if seg.chars().all(|x| x.is_alphanumeric() || x == '_') => {
                if seg != "self" || path.is_empty() {
                    path.push(seg.to_string());
                }
                i += 1;
                if toks.get(i).map(|t| t.1.as_str()) == Some("::") {
                    i += 1;
                } else {
                    out.push(path);
                    return i;
                }
            }
            _ => {
                out.push(path);
                return i;
            }
        }
    }
}

/// The child modules a file declares with `mod x;` (any visibility or
/// attribute before it): the names a path relative to the file may start with.
fn child_modules(toks: &[(usize, String)]) -> BTreeSet<String> {
    toks.windows(3)
        .filter(|w| w[0].1 == "mod" && w[2].1 == ";")
        .map(|w| w[1].1.clone())
        .collect()
}

/// Every `crate::`, `super::` and `self::` path in `text`, and every path
/// relative to the file whose first segment is a child module it declares
/// (`put::INFO`, `pub use put::{PutStep, …}`, read as `self::put::…`), with
/// the character offset where it starts.
fn paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let chars: Vec<char> = text.chars().collect();
    let toks = tokens(&chars);
    let children = child_modules(&toks);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let (at, word) = &toks[i];
        let followed_by_path = toks.get(i + 1).map(|t| t.1.as_str()) == Some("::");
        let before = if i == 0 { "" } else { toks[i - 1].1.as_str() };
        let first_segment = !matches!(before, "::" | ".");
        let anchored = matches!(word.as_str(), "crate" | "super" | "self");
        // A macro's `$x::` is a metavariable, not a child module.
        let relative = !anchored && before != "$" && children.contains(word);
        if (anchored || relative) && followed_by_path && first_segment {
            let mut found = Vec::new();
            let prefix = if relative { vec!["self".to_string()] } else { Vec::new() };
            let next = read_tree(&toks, i, prefix, &mut found);
            for p in found {
                out.push((*at, p));
            }
            i = next.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Where the path `segs`, named in module `here`, lands: the module whose
/// file is the longest prefix of it.
fn resolve(here: &ModPath, segs: &[String], modules: &BTreeMap<ModPath, File>) -> Option<ModPath> {
    let mut base: ModPath = Vec::new();
    let mut rest = segs;
    match segs.first().map(String::as_str) {
        Some("crate") => rest = &segs[1..],
        Some("self") => {
            base = here.clone();
            rest = &segs[1..];
        }
        Some("super") => {
            base = here.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let full: ModPath = base.into_iter().chain(rest.iter().cloned()).collect();
    (0..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|m| modules.contains_key(m))
}

/// The library's files and their imports.
fn import_graph(src: &Path) -> BTreeMap<ModPath, File> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut modules: BTreeMap<ModPath, File> = BTreeMap::new();
    let mut texts: BTreeMap<ModPath, String> = BTreeMap::new();
    for f in files {
        if f == src.join("main.rs") {
            continue;
        }
        let m = module_of(src, &f);
        let text = fs::read_to_string(&f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        texts.insert(m.clone(), text);
        modules.insert(
            m,
            File {
                path: f,
                imports: BTreeMap::new(),
            },
        );
    }
    for (m, text) in &texts {
        let code = blank_test_modules(&blank_comments_and_literals(text));
        let lines: Vec<&str> = text.lines().collect();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(code.chars().enumerate().filter(|(_, x)| *x == '\n').map(|(i, _)| i + 1))
            .collect();
        let mut found = Vec::new();
        for (at, segs) in paths(&code) {
            let Some(target) = resolve(m, &segs, &modules) else {
                continue;
            };
            if &target == m {
                continue;
            }
            let line = line_starts.partition_point(|s| *s <= at);
            found.push((
                target,
                Import {
                    line,
                    text: lines.get(line - 1).map_or("", |l| l.trim()).to_string(),
                },
            ));
        }
        let file = modules.get_mut(m).expect("the module just listed");
        for (target, import) in found {
            file.imports.entry(target).or_insert(import);
        }
    }
    modules
}

/// The strongly connected components of the graph with more than one
/// module (Tarjan's algorithm, iterative).
fn cycles(graph: &BTreeMap<ModPath, File>) -> Vec<Vec<ModPath>> {
    let names: Vec<&ModPath> = graph.keys().collect();
    let index_of: BTreeMap<&ModPath, usize> = names.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|m| graph[*m].imports.keys().map(|t| index_of[t]).collect())
        .collect();
    let n = names.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if *e < edges[v].len() {
                let w = edges[v][*e];
                *e += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    loop {
                        let w = stack.pop().expect("v is on the stack");
                        on_stack[w] = false;
                        component.push(names[w].clone());
                        if w == v {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        component.sort();
                        out.push(component);
                    }
                }
            }
        }
    }
    out
}

/// The cycles of the graph, described: the files, then each import inside
/// the component with its line.
fn describe(graph: &BTreeMap<ModPath, File>, root: &Path) -> Vec<String> {
    let shown = |m: &ModPath| {
        let p = &graph[m].path;
        p.strip_prefix(root).unwrap_or(p).display().to_string()
    };
    cycles(graph)
        .iter()
        .map(|component| {
            let mut s = format!(
                "import cycle among {} files: {}\n",
                component.len(),
                component.iter().map(shown).collect::<Vec<_>>().join(", ")
            );
            for m in component {
                for (target, import) in &graph[m].imports {
                    if component.contains(target) {
                        s.push_str(&format!(
                            "  {}:{} -> {}: {}\n",
                            shown(m),
                            import.line,
                            shown(target),
                            import.text
                        ));
                    }
                }
            }
            s
        })
        .collect()
}

#[test]
fn no_import_cycle_between_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let graph = import_graph(&root.join("src"));
    assert!(graph.len() > 50, "the walk found only {} files", graph.len());
    let found = describe(&graph, root);
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

/// The reader itself: a two-file cycle through a brace group and `super::`
/// is found, and comments, strings and test modules do not count.
#[test]
fn the_reader_resolves_paths_and_skips_comments_strings_and_tests() {
    let dir = std::env::temp_dir().join(format!("ringside-import-cycles-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("a")).unwrap();
    fs::write(dir.join("lib.rs"), "pub mod a;\npub mod b;\npub mod c;\n").unwrap();
    fs::write(dir.join("a/mod.rs"), "pub mod x;\npub struct A;\n").unwrap();
    fs::write(
        dir.join("a/x.rs"),
        "use super::super::{c, b::{self, B}};\n// use crate::c::C;\nconst S: &str = \"crate::c::C\";\n",
    )
    .unwrap();
    fs::write(
        dir.join("b.rs"),
        "pub struct B;\nfn f() -> crate::a::x::X {\n    todo!()\n}\n#[cfg(test)]\nmod tests {\n    use crate::c::C;\n}\n",
    )
    .unwrap();
    fs::write(dir.join("c.rs"), "/* use crate::b::B; */ pub struct C(super::a::A);\n").unwrap();
    let graph = import_graph(&dir);
    let imports = |m: &[&str]| -> Vec<String> {
        let m: ModPath = m.iter().map(|s| s.to_string()).collect();
        graph[&m].imports.keys().map(|t| t.join("::")).collect()
    };
    assert_eq!(imports(&["a", "x"]), ["b", "c"]);
    assert_eq!(imports(&["b"]), ["a::x"]);
    assert_eq!(imports(&["c"]), ["a"]);
    let found = describe(&graph, &dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("import cycle among 2 files: a/x.rs, b.rs"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains("a/x.rs:1 -> b.rs: use super::super::{c, b::{self, B}};"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains("b.rs:2 -> a/x.rs: fn f() -> crate::a::x::X {"),
        "{}",
        found[0]
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// A parent `mod.rs` that names its children by relative paths (a
/// re-export, a brace group, an inline call) while a child imports the
/// parent back is a cycle; a child module's name after `::` or `.`, or a
/// `mod` that is not declared, is not read as a child, and a
/// `pub(crate) mod tests { … }` is skipped like any test module.
#[test]
fn relative_paths_to_declared_children_are_edges_from_the_parent() {
    let dir = std::env::temp_dir().join(format!("ringside-import-cycles-rel-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("step")).unwrap();
    fs::write(dir.join("lib.rs"), "pub mod step;\npub mod other;\n").unwrap();
    fs::write(
        dir.join("step/mod.rs"),
        "mod put;\nmod get;\nmod kind;\npub use put::{PutStep, self};\npub struct StepKind;\n\
         fn f() { get::start(); x.kind::<u8>(); other::kind::K; }\n",
    )
    .unwrap();
    fs::write(dir.join("step/put.rs"), "use super::StepKind;\npub struct PutStep;\n").unwrap();
    fs::write(
        dir.join("step/get.rs"),
        "pub fn start() {}\n#[cfg(test)]\npub(crate) mod tests {\n    use crate::step::StepKind;\n}\n",
    )
    .unwrap();
    fs::write(dir.join("step/kind.rs"), "pub struct K;\n").unwrap();
    fs::write(dir.join("other.rs"), "pub mod kind {}\n").unwrap();
    let graph = import_graph(&dir);
    let imports = |m: &[&str]| -> Vec<String> {
        let m: ModPath = m.iter().map(|s| s.to_string()).collect();
        graph[&m].imports.keys().map(|t| t.join("::")).collect()
    };
    assert_eq!(imports(&["step"]), ["step::get", "step::put"]);
    assert_eq!(imports(&["step", "put"]), ["step"]);
    assert!(imports(&["step", "get"]).is_empty(), "a test module is skipped");
    let found = describe(&graph, &dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("step/mod.rs:4 -> step/put.rs: pub use put::{PutStep, self};"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains("step/put.rs:1 -> step/mod.rs: use super::StepKind;"),
        "{}",
        found[0]
    );
    fs::remove_dir_all(&dir).unwrap();
}
