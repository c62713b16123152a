//! Layering, validation messages and the example file of [`super::Config`].

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use super::*;

const EXAMPLE: &str = include_str!("../assets/config.example.toml");

/// Every dotted leaf key of a TOML document.
fn keys(text: &str) -> BTreeSet<String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut BTreeSet<String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                _ => {
                    out.insert(key);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk("", &text.parse::<toml::Table>().unwrap(), &mut out);
    out
}

#[test]
fn example_parses_to_the_defaults_and_documents_every_key() {
    let example = Config::from_toml(EXAMPLE, Path::new("config.example.toml")).unwrap();
    assert_eq!(example, Config::default());
    assert_eq!(keys(EXAMPLE), keys(&Config::default().to_toml()));
    for key in keys(EXAMPLE) {
        let leaf = key.rsplit('.').next().unwrap();
        let line = EXAMPLE
            .lines()
            .position(|l| l.starts_with(&format!("{leaf} =")))
            .unwrap();
        let above = EXAMPLE.lines().nth(line - 1).unwrap();
        assert!(above.starts_with('#'), "{key} has no comment above it");
    }
}

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sockscope-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn out_of_range_value_names_file_line_and_key() {
    let path = write(
        "range.toml",
        "[alerts]\nfire_after = 2\n\n[alerts.close_wait]\nmin_age = \"30s\"\nmin_count = 0\n",
    );
    let err = Config::resolve(Some(&path), &AlertFlags::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "invalid setting alerts.close_wait.min_count = 0 in {} line 6: at least 1 socket",
            path.display()
        )
    );
}

#[test]
fn unknown_alert_key_is_refused_with_line() {
    let path = write("unknown.toml", "[alerts.close_wait]\nmin_agee = \"1m\"\n");
    let err = Config::resolve(Some(&path), &AlertFlags::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2") && err.contains("min_agee"), "{err}");
}

#[test]
fn flags_override_the_file_and_are_named_when_bad() {
    let path = write("flags.toml", "[alerts]\nfire_after = 5\nwindow = \"2m\"\n");
    let flags = AlertFlags {
        fire_after: Some(1),
        close_wait_min_age: Some(Duration::from_secs(2)),
        disable_rule: vec!["backlog_clamped".into()],
        ..AlertFlags::default()
    };
    let c = Config::resolve(Some(&path), &flags).unwrap();
    assert_eq!(c.alerts.fire_after, 1, "flag beats file");
    assert_eq!(
        c.alerts.window,
        Duration::from_secs(120),
        "file beats default"
    );
    assert_eq!(c.alerts.close_wait.min_age, Duration::from_secs(2));
    assert_eq!(c.alerts.disable, ["backlog_clamped"]);

    let bad = AlertFlags {
        near_full_ratio: Some(1.5),
        ..AlertFlags::default()
    };
    let err = Config::resolve(Some(&path), &bad).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid setting alerts.accept_queue.near_full_ratio = 1.5 (from --near-full-ratio): \
         a ratio above 0 and at most 1"
    );
}

#[test]
fn missing_explicit_file_is_an_error_naming_it() {
    let err = Config::resolve(
        Some(Path::new("/nonexistent/sockscope.toml")),
        &AlertFlags::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("cannot read config file /nonexistent/sockscope.toml"),
        "{err}"
    );
}
