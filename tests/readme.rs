//! README's screen captures are the screens the code draws: each block
//! marked `<!-- capture: tests/snapshots/NAME.snap -->` must equal that insta
//! snapshot with trailing blanks and blank rows removed, so a change to a
//! screen that updates its snapshot also has to update README. And every
//! `docs/` page README links to exists.

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MARK: &str = "<!-- capture: ";

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel))
        .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// The rows of an insta snapshot of a `TestBackend`: one quoted string per
/// row after the `---` header, unescaped, trailing blanks and blank rows
/// dropped.
fn snapshot_rows(rel: &str) -> Vec<String> {
    let text = read(rel);
    let body = text
        .splitn(3, "---\n")
        .nth(2)
        .unwrap_or_else(|| panic!("{rel} has no insta header"));
    body.lines()
        .map(|row| {
            let inner = row
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{rel}: row is not a quoted string: {row}"));
            inner
                .replace("\\\"", "\"")
                .replace("\\\\", "\\")
                .trim_end()
                .to_string()
        })
        .filter(|row| !row.is_empty())
        .collect()
}

/// Each capture in README: the snapshot it names and the block's lines.
fn captures(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let end = after.find(" -->").expect("capture marker ends with -->");
        let path = after[..end].to_string();
        let block = after[end..]
            .split_once("```text\n")
            .unwrap_or_else(|| panic!("no ```text block after the capture of {path}"))
            .1;
        let (body, tail) = block
            .split_once("\n```")
            .unwrap_or_else(|| panic!("unclosed block for {path}"));
        out.push((path, body.lines().map(str::to_string).collect()));
        rest = tail;
    }
    out
}

#[test]
fn readme_captures_equal_their_snapshots() {
    let readme = read("README.md");
    let found = captures(&readme);
    assert!(
        found.len() >= 4,
        "README should show the overview, the wide overview, the drill-down, the paused screen \
         and the alerts panel as captures; found {}",
        found.len()
    );
    for (path, lines) in found {
        let want = snapshot_rows(&path);
        assert_eq!(
            lines, want,
            "README's capture of {path} differs from the snapshot: paste the snapshot's rows \
             (without quotes, trailing blanks and blank rows) into README"
        );
    }
}

#[test]
fn readme_links_to_docs_pages_that_exist() {
    let readme = read("README.md");
    let mut linked = 0;
    for (at, _) in readme.match_indices("](docs/") {
        let target = &readme[at + 2..];
        let end = target.find([')', '#']).expect("link closes");
        let page = &target[..end];
        assert!(
            Path::new(ROOT).join(page).is_file(),
            "README links to {page}, which does not exist"
        );
        linked += 1;
    }
    for page in [
        "docs/internals.md",
        "docs/formats.md",
        "docs/record-format.md",
        "docs/benchmark.md",
    ] {
        assert!(
            readme.contains(&format!("]({page}")),
            "README should link to {page}"
        );
    }
    assert!(linked >= 4);
}
