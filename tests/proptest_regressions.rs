//! Saved proptest failures are replayed: every `tests/NAME.proptest-regressions`
//! file belongs to a property test `tests/NAME.rs`, and the configuration
//! those tests run with (`common::property_config`) reads every seed saved
//! in it, so that a case that once failed is tried again, first, on every run.

mod common;

use std::path::Path;

/// The saved seeds of `file`: its `cc` lines (proptest's own format).
fn saved_seeds(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with("cc "))
        .count()
}

#[test]
fn every_saved_regression_is_read_by_the_property_tests_config() {
    let mut files: Vec<_> = std::fs::read_dir("tests")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "proptest-regressions"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "the integration tests keep their saved failures beside them in tests/"
    );
    for file in files {
        let source = file.with_extension("rs");
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{} has no property test {}: {e}", file.display(), source.display()));
        assert!(
            text.contains("common::property_config("),
            "{} runs with common::property_config, which says where its failures are kept",
            source.display()
        );
        let persistence = common::property_config(1)
            .failure_persistence
            .unwrap_or_else(|| panic!("failure persistence is off: {} is never replayed", file.display()));
        // `file!()` in a test under tests/ is this relative path.
        let source: &'static str = Box::leak(source.to_str().unwrap().to_owned().into_boxed_str());
        let loaded = persistence.load_persisted_failures2(Some(source));
        assert!(saved_seeds(&file) > 0, "{} saves no seed", file.display());
        assert_eq!(
            loaded.len(),
            saved_seeds(&file),
            "every seed saved in {} is replayed by {source}",
            file.display()
        );
    }
}
