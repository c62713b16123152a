//! Bad dashboard input: one clear error line and a non-zero exit, before the
//! terminal is touched.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_flags_and_files_are_one_line_errors() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--interval", "10ms"],
            "invalid setting dashboard.interval = 10ms: between 100ms and 1h",
        ),
        (
            &["top", "--history", "2s", "--interval", "5s"],
            "invalid setting dashboard.history = 2s",
        ),
        (
            &["--export-dir", "/nonexistent/dir"],
            "export directory /nonexistent/dir does not exist",
        ),
        (
            &["--config", "/nonexistent/c.toml"],
            "cannot read config file /nonexistent/c.toml",
        ),
        (&["top"], "the dashboard needs a terminal"),
    ];
    for (args, want) in cases {
        let (ok, err) = run(args);
        assert!(!ok, "{args:?} must fail");
        assert!(
            err.starts_with("sockscope: error: ") && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    let (ok, err) = run(&["--interval", "soon"]);
    assert!(!ok);
    assert!(
        err.contains("invalid value 'soon' for '--interval"),
        "{err}"
    );
}
