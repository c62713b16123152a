//! Human labels for network namespaces: a `/run/netns` name, a container
//! from the cgroup path of a process inside, or that process.

use std::fs;
use std::os::unix::fs::MetadataExt;

use super::identity::{host_netns_inode, netns_inode};

/// The container a cgroup file (`/proc/<pid>/cgroup`) places a process in:
/// `docker:<id12>`, `podman:<id12>`, `containerd:<id12>`, `crio:<id12>`,
/// `lxc:<name>`, or `container:<id12>` for any other 64-hex segment.
pub fn container_from_cgroup(text: &str) -> Option<String> {
    for line in text.lines() {
        let path = line.rsplit(':').next().unwrap_or("");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter().enumerate() {
            if let Some(name) = seg.strip_prefix("lxc.payload.") {
                return Some(format!("lxc:{name}"));
            }
            if *seg == "lxc"
                && let Some(name) = segments.get(i + 1)
            {
                return Some(format!("lxc:{name}"));
            }
            let stem = seg.strip_suffix(".scope").unwrap_or(seg);
            for (prefix, kind) in [
                ("docker-", "docker"),
                ("libpod-", "podman"),
                ("cri-containerd-", "containerd"),
                ("crio-", "crio"),
            ] {
                if let Some(id) = stem.strip_prefix(prefix)
                    && is_id(id)
                {
                    return Some(format!("{kind}:{}", &id[..12]));
                }
            }
            if is_id(stem) {
                let kind = if i > 0 && segments[i - 1] == "docker" {
                    "docker"
                } else {
                    "container"
                };
                return Some(format!("{kind}:{}", &stem[..12]));
            }
        }
    }
    None
}

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Label of the namespace of process `pid`: its container, else
/// `pid <pid> (<comm>)`.
pub fn label_of_pid(pid: u32) -> String {
    if let Ok(text) = fs::read_to_string(format!("/proc/{pid}/cgroup"))
        && let Some(c) = container_from_cgroup(&text)
    {
        return c;
    }
    match fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => format!("pid {pid} ({})", comm.trim()),
        Err(_) => format!("pid {pid}"),
    }
}

/// The `/run/netns` name of the namespace with inode `ino`, if any.
pub fn run_netns_name(ino: u64) -> Option<String> {
    fs::read_dir("/run/netns")
        .ok()?
        .flatten()
        .find(|e| netns_inode(&e.path()) == Some(ino))
        .map(|e| e.file_name().to_string_lossy().into_owned())
}

/// The lowest pid whose network namespace has inode `ino`.
pub fn first_pid_in(ino: u64) -> Option<u32> {
    super::process_scan::list_pids()
        .into_iter()
        .find(|pid| fs::metadata(format!("/proc/{pid}/ns/net")).is_ok_and(|m| m.ino() == ino))
}

/// Labels namespace `ino`: `host` for init's, a `/run/netns` name, the
/// container or process of `pid` (or of the first process found in it), or
/// `net:[ino]` when nothing names it.
pub fn label_of(ino: u64, pid: Option<u32>) -> String {
    if host_netns_inode() == Some(ino) {
        return "host".to_owned();
    }
    if let Some(name) = run_netns_name(ino) {
        return name;
    }
    match pid.or_else(|| first_pid_in(ino)) {
        Some(pid) => label_of_pid(pid),
        None => format!("net:[{ino}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

    #[test]
    fn container_ids_from_cgroup_paths() {
        let cases = [
            (
                format!("0::/system.slice/docker-{ID}.scope\n"),
                "docker:4f1c2b3a9d8e",
            ),
            (format!("12:pids:/docker/{ID}\n"), "docker:4f1c2b3a9d8e"),
            (
                format!("0::/machine.slice/libpod-{ID}.scope/container\n"),
                "podman:4f1c2b3a9d8e",
            ),
            (
                format!("0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-{ID}.scope\n"),
                "containerd:4f1c2b3a9d8e",
            ),
            (
                format!("0::/kubepods/besteffort/pod1/{ID}\n"),
                "container:4f1c2b3a9d8e",
            ),
            ("0::/lxc.payload.web1/init.scope\n".to_owned(), "lxc:web1"),
        ];
        for (text, want) in cases {
            assert_eq!(
                container_from_cgroup(&text).as_deref(),
                Some(want),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_services_are_not_containers() {
        assert_eq!(
            container_from_cgroup("0::/system.slice/nginx.service\n"),
            None
        );
        assert_eq!(container_from_cgroup("0::/\n"), None);
    }
}
