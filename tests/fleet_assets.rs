//! The Prometheus rules and the Grafana dashboard in assets/ only use series
//! the exporter produces; promtool accepts and unit-tests the rules.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use sockscope::export::prometheus::{ExporterStats, Kind, Limits, families};

const RULES: &str = "assets/prometheus/sockscope-alerts.yml";
const RULE_TESTS: &str = "assets/prometheus/sockscope-alerts.test.yml";
const DASHBOARD: &str = "assets/grafana/sockscope-dashboard.json";

/// Every series name `serve` can produce.
fn exported() -> BTreeSet<String> {
    families(&[], &[], Some(ExporterStats::default()), Limits::default())
        .iter()
        .map(|f| match f.kind {
            Kind::Counter => format!("{}_total", f.name),
            Kind::Gauge => f.name.to_owned(),
        })
        .collect()
}

/// The `sockscope_…` identifiers in `text`.
fn referenced(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("sockscope_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_owned());
        rest = &tail[end..];
    }
    names
}

#[test]
fn assets_use_only_exported_series() {
    let exported = exported();
    for path in [RULES, RULE_TESTS, DASHBOARD] {
        let text = std::fs::read_to_string(path).unwrap();
        let used = referenced(&text);
        assert!(used.len() >= 5, "{path} uses {used:?}");
        let unknown: Vec<_> = used.difference(&exported).collect();
        assert!(
            unknown.is_empty(),
            "{path} uses series the exporter lacks: {unknown:?}"
        );
    }
}

#[test]
fn dashboard_is_grafana_json_with_queries() {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(DASHBOARD).unwrap()).unwrap();
    let panels = doc["panels"].as_array().unwrap();
    assert!(panels.len() >= 8);
    let mut ids = BTreeSet::new();
    for p in panels {
        assert!(ids.insert(p["id"].as_u64().unwrap()), "unique panel ids");
        let targets = p["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{} has no query", p["title"]);
        for t in targets {
            assert!(t["expr"].as_str().unwrap().contains("sockscope_"));
        }
    }
    let vars: Vec<&str> = doc["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(vars, ["datasource", "netns", "local"]);
}

/// promtool, or `None` after a visible skip (a failure under `CI=true`).
fn promtool() -> Option<Command> {
    common::tools::need(
        "promtool",
        "Debian package `prometheus`; it checks the rules",
    )
    .then(|| Command::new("promtool"))
}

#[test]
fn promtool_checks_and_tests_the_rules() {
    let Some(mut check) = promtool() else { return };
    let out = check.args(["check", "rules", RULES]).output().unwrap();
    assert!(out.status.success(), "promtool check rules: {out:?}");
    let out = Command::new("promtool")
        .args(["test", "rules", "sockscope-alerts.test.yml"])
        .current_dir("assets/prometheus")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool test rules:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
