//! The deployment assets: the Kubernetes DaemonSet validates against the
//! Kubernetes API schemas (`kubernetes-validate`, which ships them), the
//! systemd unit passes `systemd-analyze verify` and stays hardened
//! (`systemd-analyze security`); both run the exporter the same way with the
//! same capabilities.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const MANIFEST: &str = "assets/kubernetes/sockscope-daemonset.yaml";
const UNIT: &str = "assets/systemd/sockscope.service";

/// The capabilities both assets grant, and no others (README "Deploying").
const CAPABILITIES: [&str; 3] = ["SYS_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH"];

/// Highest `systemd-analyze security` exposure the unit may reach, in its
/// tenths (2.8 measured with systemd 252).
const MAX_EXPOSURE: &str = "28";

/// Runs `tool args`; `None` with a visible `skipped:` line when the tool is
/// missing or not executable by this user outside CI (under `CI=true` a missing tool fails the test).
fn run(tool: &str, args: &[&str], install: &str) -> Option<Output> {
    match Command::new(tool).args(args).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            common::tools::skip(&format!("{tool} is not installed ({install})"));
            None
        }
        // Installed for another user (a virtualenv under root's home).
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            common::tools::skip(&format!(
                "{tool} cannot be run by this user ({e}; {install})"
            ));
            None
        }
        Err(e) => panic!("cannot run {tool}: {e}"),
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn kubernetes_validate(path: &Path) -> Option<Output> {
    let path = path.to_str().unwrap();
    run(
        "kubernetes-validate",
        &["--strict", path],
        "pip install kubernetes-validate; .ci/run does",
    )
}

#[test]
fn daemonset_manifest_validates_against_the_kubernetes_schemas() {
    let Some(out) = kubernetes_validate(Path::new(MANIFEST)) else {
        return;
    };
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    for kind in [
        "namespace/sockscope",
        "daemonset/sockscope",
        "service/sockscope",
    ] {
        assert!(
            said.contains(&format!("passed for resource {kind}")),
            "{said}"
        );
    }
    // The check can fail: a misspelt field is refused.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    let manifest = std::fs::read_to_string(MANIFEST).unwrap();
    std::fs::write(
        &bad,
        manifest.replace("readOnlyRootFilesystem", "readOnlyRootFs"),
    )
    .unwrap();
    let out = kubernetes_validate(&bad).unwrap();
    assert!(!out.status.success(), "{}", text(&out));
}

/// The manifest's documents as JSON, read by PyYAML (which
/// kubernetes-validate brings along).
fn manifest_docs() -> Option<Vec<Value>> {
    let script =
        "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))";
    let out = run(
        "python3",
        &["-c", script, MANIFEST],
        "python3 with PyYAML; .ci/run installs it",
    )?;
    assert!(out.status.success(), "{}", text(&out));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn daemonset_runs_serve_all_netns_with_only_the_needed_privilege() {
    let Some(docs) = manifest_docs() else { return };
    let ds = docs.iter().find(|d| d["kind"] == "DaemonSet").unwrap();
    let pod = &ds["spec"]["template"]["spec"];
    assert_eq!(pod["hostPID"], true);
    let c = &pod["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["serve", "--all-netns", "--listen", "0.0.0.0:9917"]);
    let sc = &c["securityContext"];
    assert_eq!(sc["privileged"], false);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["capabilities"]["drop"][0], "ALL");
    let added: Vec<&str> = sc["capabilities"]["add"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(added, CAPABILITIES);
    let mounts = c["volumeMounts"].as_array().unwrap();
    assert!(mounts.len() >= 2);
    for m in mounts {
        assert_eq!(m["readOnly"], true, "{m:?}");
    }
    assert!(c["resources"]["limits"]["memory"].is_string());
    assert!(c["resources"]["requests"]["cpu"].is_string());
    let svc = docs.iter().find(|d| d["kind"] == "Service").unwrap();
    assert_eq!(
        svc["metadata"]["annotations"]["prometheus.io/scrape"],
        "true"
    );
    assert_eq!(svc["metadata"]["annotations"]["prometheus.io/port"], "9917");
}

/// The unit with its ExecStart pointed at the binary under test, in `dir`
/// (verify checks that the command exists and is executable).
fn unit_under_test(dir: &Path, unit: &str) -> String {
    let path = dir.join("sockscope.service");
    let text = unit.replace("/usr/local/bin/sockscope", env!("CARGO_BIN_EXE_sockscope"));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn verify(dir: &Path, unit: &str) -> Option<Output> {
    let path = unit_under_test(dir, unit);
    run(
        "systemd-analyze",
        &["verify", &path],
        "Debian package systemd; .ci/run installs it",
    )
}

#[test]
fn systemd_unit_verifies_clean_and_stays_hardened() {
    let unit = std::fs::read_to_string(UNIT).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let Some(out) = verify(dir.path(), &unit) else {
        return;
    };
    // verify exits 0 on unknown keys and bad values and only warns, so any
    // output at all is a failure.
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(text(&out), "", "systemd-analyze verify warned");
    let bad = verify(dir.path(), &unit.replace("ProtectSystem=", "ProtectSytem=")).unwrap();
    assert!(
        text(&bad).contains("Unknown key"),
        "the check can fail: {}",
        text(&bad)
    );

    let path = unit_under_test(dir.path(), &unit);
    let threshold = format!("--threshold={MAX_EXPOSURE}");
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", &threshold, &path])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn systemd_unit_runs_the_exporter_like_the_daemonset() {
    let unit = std::fs::read_to_string(UNIT).unwrap();
    let value = |key: &str| {
        unit.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{UNIT} sets no {key}"))
    };
    assert_eq!(
        value("ExecStart"),
        "/usr/local/bin/sockscope serve --all-netns --listen 127.0.0.1:9917"
    );
    let caps: Vec<&str> = value("CapabilityBoundingSet")
        .split_whitespace()
        .map(|c| c.strip_prefix("CAP_").unwrap())
        .collect();
    assert_eq!(caps, CAPABILITIES);
    for (key, want) in [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("RestrictNamespaces", "net"),
    ] {
        assert_eq!(value(key), want);
    }
}
