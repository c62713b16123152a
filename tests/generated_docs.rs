//! The checked-in man pages and shell completions are exactly what the CLI
//! definition generates (regenerate with `cargo run --example generate_docs`).

use std::collections::BTreeMap;
use std::path::Path;

use sockscope::cli_docs::{COMPLETIONS_DIR, MAN_DIR, write_all};

/// Every file of `dir` by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn checked_in_man_pages_and_completions_match_the_cli() {
    let fresh = tempfile::tempdir().unwrap();
    write_all(fresh.path()).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [MAN_DIR, COMPLETIONS_DIR] {
        let want = files(&fresh.path().join(dir));
        let have = files(&root.join(dir));
        assert_eq!(
            have.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{dir}: run `cargo run --example generate_docs`"
        );
        for (name, bytes) in &want {
            assert!(
                have[name] == *bytes,
                "{dir}/{name} differs from what the CLI generates: run `cargo run --example generate_docs`"
            );
        }
    }
    let man =
        std::fs::read_to_string(fresh.path().join(MAN_DIR).join("sockscope-replay.1")).unwrap();
    assert!(
        man.contains(".SH DASHBOARD"),
        "headings become sections: {man}"
    );
    assert!(
        !man.contains("netns"),
        "replay offers no target options: {man}"
    );
}
