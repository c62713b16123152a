//! The names operators use for containers, read from the container
//! runtimes' own state on disk (read-only; no daemon API is called):
//! Docker's `config.v2.json`, the OCI `config.json` of containerd and CRI-O
//! bundles (Kubernetes pod annotations), podman's `containers.json`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where each runtime keeps its state (`[namespaces]` in the config file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuntimeRoots {
    /// Docker's data root: `<docker>/containers/<id>/config.v2.json`.
    pub docker: PathBuf,
    /// containerd's v2 task state: `<containerd>/<namespace>/<id>/config.json`.
    pub containerd: PathBuf,
    /// CRI-O's run-time storage: `<crio>/<id>/userdata/config.json`.
    pub crio: PathBuf,
    /// podman's (containers/storage) container store: `<podman>/containers.json`.
    pub podman: PathBuf,
}

impl Default for RuntimeRoots {
    fn default() -> Self {
        RuntimeRoots {
            docker: PathBuf::from("/var/lib/docker"),
            containerd: PathBuf::from("/run/containerd/io.containerd.runtime.v2.task"),
            crio: PathBuf::from("/run/containers/storage/overlay-containers"),
            podman: PathBuf::from("/var/lib/containers/storage/overlay-containers"),
        }
    }
}

static ROOTS: OnceLock<RuntimeRoots> = OnceLock::new();

/// Sets the roots every later namespace label reads (once, at start, from
/// the configuration); `false` when they were already set.
pub fn set_roots(roots: RuntimeRoots) -> bool {
    ROOTS.set(roots).is_ok()
}

/// The roots set by [`set_roots`], else the runtimes' default locations.
pub fn roots() -> &'static RuntimeRoots {
    ROOTS.get_or_init(RuntimeRoots::default)
}

/// Which runtime a cgroup path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// `docker-<id>.scope`, `/docker/<id>`.
    Docker,
    /// `libpod-<id>.scope`.
    Podman,
    /// `cri-containerd-<id>.scope`.
    Containerd,
    /// `crio-<id>.scope`.
    Crio,
    /// A bare 64-hex segment (a `kubepods` cgroup of any runtime).
    Unknown,
}

impl Runtime {
    /// The prefix of labels and ids: `docker`, `podman`, `containerd`,
    /// `crio`, `container`.
    pub fn prefix(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Podman => "podman",
            Runtime::Containerd => "containerd",
            Runtime::Crio => "crio",
            Runtime::Unknown => "container",
        }
    }
}

/// A container found in a cgroup path: its runtime and full 64-hex id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRef {
    /// The runtime the cgroup path names.
    pub runtime: Runtime,
    /// The full container id (64 hex digits).
    pub id: String,
}

impl ContainerRef {
    /// The short id label, `docker:4f1c2b3a9d8e` (runtime and 12 hex digits).
    pub fn short(&self) -> String {
        format!("{}:{}", self.runtime.prefix(), &self.id[..12])
    }

    /// The name an operator knows it by, from the runtime's state under
    /// `roots`: `k8s:<pod namespace>/<pod>` for a Kubernetes pod,
    /// `docker:<name>`, `podman:<name>`; `None` when the state is not
    /// found or not understood.
    pub fn name(&self, roots: &RuntimeRoots) -> Option<String> {
        match self.runtime {
            Runtime::Docker => docker_name(&roots.docker, &self.id),
            Runtime::Podman => podman_name(&roots.podman, &self.id),
            Runtime::Containerd => containerd_name(&roots.containerd, &self.id),
            Runtime::Crio => crio_name(&roots.crio, &self.id),
            Runtime::Unknown => crio_name(&roots.crio, &self.id)
                .or_else(|| containerd_name(&roots.containerd, &self.id))
                .or_else(|| docker_name(&roots.docker, &self.id)),
        }
    }
}

/// Reads a JSON state file; state files of a few KiB, so a file over 4 MiB
/// is not one and is ignored.
fn read_json(path: &Path) -> Option<Value> {
    const LIMIT: u64 = 4 << 20;
    if fs::metadata(path).ok()?.len() > LIMIT {
        return None;
    }
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// `k8s:<namespace>/<pod>` from Kubernetes annotations or labels: CRI-O's
/// and dockershim's `io.kubernetes.pod.*`, containerd's
/// `io.kubernetes.cri.sandbox-*`.
fn pod_label(map: &Value) -> Option<String> {
    let get = |k: &str| map.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let namespace =
        get("io.kubernetes.pod.namespace").or_else(|| get("io.kubernetes.cri.sandbox-namespace"));
    let pod = get("io.kubernetes.pod.name").or_else(|| get("io.kubernetes.cri.sandbox-name"));
    Some(format!("k8s:{}/{}", namespace?, pod?))
}

fn docker_name(root: &Path, id: &str) -> Option<String> {
    let config = read_json(&root.join("containers").join(id).join("config.v2.json"))?;
    if let Some(pod) = config.pointer("/Config/Labels").and_then(pod_label) {
        return Some(pod);
    }
    let name = config.get("Name")?.as_str()?.trim_start_matches('/');
    (!name.is_empty()).then(|| format!("docker:{name}"))
}

fn oci_name(config: &Path) -> Option<String> {
    pod_label(read_json(config)?.get("annotations")?)
}

fn crio_name(root: &Path, id: &str) -> Option<String> {
    oci_name(&root.join(id).join("userdata").join("config.json"))
}

/// containerd keeps one directory per containerd namespace (`k8s.io`,
/// `moby`, `default`); the container is in one of them.
fn containerd_name(root: &Path, id: &str) -> Option<String> {
    fs::read_dir(root)
        .ok()?
        .flatten()
        .find_map(|ns| oci_name(&ns.path().join(id).join("config.json")))
}

fn podman_name(root: &Path, id: &str) -> Option<String> {
    let list = read_json(&root.join("containers.json"))?;
    let entry = list
        .as_array()?
        .iter()
        .find(|c| c.get("id").and_then(Value::as_str) == Some(id))?;
    let name = entry.pointer("/names/0")?.as_str()?;
    (!name.is_empty()).then(|| format!("podman:{name}"))
}

/// The container a cgroup file (`/proc/<pid>/cgroup`) places a process in,
/// from the first path segment that names one.
pub fn container_from_cgroup(text: &str) -> Option<ContainerRef> {
    for line in text.lines() {
        let path = line.rsplit(':').next().unwrap_or("");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter().enumerate() {
            let stem = seg.strip_suffix(".scope").unwrap_or(seg);
            for (prefix, runtime) in [
                ("docker-", Runtime::Docker),
                ("libpod-", Runtime::Podman),
                ("cri-containerd-", Runtime::Containerd),
                ("crio-", Runtime::Crio),
            ] {
                if let Some(id) = stem.strip_prefix(prefix)
                    && is_id(id)
                {
                    return Some(ContainerRef {
                        runtime,
                        id: id.to_owned(),
                    });
                }
            }
            if is_id(stem) {
                let runtime = if i > 0 && segments[i - 1] == "docker" {
                    Runtime::Docker
                } else {
                    Runtime::Unknown
                };
                return Some(ContainerRef {
                    runtime,
                    id: stem.to_owned(),
                });
            }
        }
    }
    None
}

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
#[path = "runtime_state_tests.rs"]
mod tests;
