//! Container names from fake runtime state directories laid out as each
//! runtime lays out its own.

use std::fs;
use std::path::Path;

use super::*;
use crate::collector::netns_label::{NetnsName, container_from_cgroup as name_from_cgroup};

const ID: &str = "4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
const SANDBOX: &str = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";

fn roots(dir: &Path) -> RuntimeRoots {
    RuntimeRoots {
        docker: dir.join("docker"),
        containerd: dir.join("containerd"),
        crio: dir.join("crio"),
        podman: dir.join("podman"),
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn named(label: &str, id: &str) -> Option<NetnsName> {
    Some(NetnsName {
        label: label.to_owned(),
        id: Some(id.to_owned()),
    })
}

#[test]
fn container_ids_from_cgroup_paths_without_state() {
    let dir = tempfile::tempdir().unwrap();
    let roots = roots(dir.path());
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
            format!("0::/kubepods.slice/crio-{ID}.scope\n"),
            "crio:4f1c2b3a9d8e",
        ),
        (
            format!("0::/kubepods/besteffort/pod1/{ID}\n"),
            "container:4f1c2b3a9d8e",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(name_from_cgroup(&text, &roots), named(want, want), "{text}");
    }
    assert_eq!(
        name_from_cgroup("0::/lxc.payload.web1/init.scope\n", &roots),
        Some(NetnsName::plain("lxc:web1"))
    );
}

#[test]
fn plain_services_are_not_containers() {
    let roots = RuntimeRoots::default();
    assert_eq!(
        name_from_cgroup("0::/system.slice/nginx.service\n", &roots),
        None
    );
    assert_eq!(name_from_cgroup("0::/\n", &roots), None);
}

#[test]
fn docker_names_from_config_v2() {
    let dir = tempfile::tempdir().unwrap();
    let roots = roots(dir.path());
    write(
        &roots.docker.join(format!("containers/{ID}/config.v2.json")),
        r#"{"ID":"x","Name":"/web-1","Config":{"Labels":{"com.docker.compose.service":"web"}}}"#,
    );
    write(
        &roots
            .docker
            .join(format!("containers/{SANDBOX}/config.v2.json")),
        r#"{"Name":"/k8s_POD_cart-7d9f_shop_0","Config":{"Labels":{
            "io.kubernetes.pod.namespace":"shop","io.kubernetes.pod.name":"cart-7d9f"}}}"#,
    );
    assert_eq!(
        name_from_cgroup(&format!("0::/system.slice/docker-{ID}.scope\n"), &roots),
        named("docker:web-1", "docker:4f1c2b3a9d8e")
    );
    assert_eq!(
        name_from_cgroup(&format!("0::/docker/{SANDBOX}\n"), &roots),
        named("k8s:shop/cart-7d9f", "docker:9a8b7c6d5e4f")
    );
}

#[test]
fn kubernetes_pods_from_containerd_and_crio_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let roots = roots(dir.path());
    // containerd: the sandbox (pause) container of pod shop/cart-7d9f.
    write(
        &roots
            .containerd
            .join(format!("k8s.io/{SANDBOX}/config.json")),
        r#"{"ociVersion":"1.1.0","annotations":{
            "io.kubernetes.cri.container-type":"sandbox",
            "io.kubernetes.cri.sandbox-name":"cart-7d9f",
            "io.kubernetes.cri.sandbox-namespace":"shop"}}"#,
    );
    // CRI-O: an app container of pod default/web-0.
    write(
        &roots.crio.join(format!("{ID}/userdata/config.json")),
        r#"{"ociVersion":"1.0.2","annotations":{
            "io.kubernetes.pod.namespace":"default","io.kubernetes.pod.name":"web-0",
            "io.kubernetes.container.name":"nginx"}}"#,
    );
    let containerd = format!(
        "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-{SANDBOX}.scope\n"
    );
    assert_eq!(
        name_from_cgroup(&containerd, &roots),
        named("k8s:shop/cart-7d9f", "containerd:9a8b7c6d5e4f")
    );
    assert_eq!(
        name_from_cgroup(&format!("0::/kubepods.slice/crio-{ID}.scope\n"), &roots),
        named("k8s:default/web-0", "crio:4f1c2b3a9d8e")
    );
    // cgroupfs driver: a bare id, runtime unknown; every runtime is tried.
    assert_eq!(
        name_from_cgroup(&format!("0::/kubepods/besteffort/pod1/{SANDBOX}\n"), &roots),
        named("k8s:shop/cart-7d9f", "container:9a8b7c6d5e4f")
    );
}

#[test]
fn podman_names_from_the_container_store() {
    let dir = tempfile::tempdir().unwrap();
    let roots = roots(dir.path());
    write(
        &roots.podman.join("containers.json"),
        &format!(r#"[{{"id":"{SANDBOX}","names":["other"]}},{{"id":"{ID}","names":["db-1"]}}]"#),
    );
    assert_eq!(
        name_from_cgroup(
            &format!("0::/machine.slice/libpod-{ID}.scope/container\n"),
            &roots
        ),
        named("podman:db-1", "podman:4f1c2b3a9d8e")
    );
}

#[test]
fn unreadable_or_foreign_state_falls_back_to_the_short_id() {
    let dir = tempfile::tempdir().unwrap();
    let roots = roots(dir.path());
    write(
        &roots.docker.join(format!("containers/{ID}/config.v2.json")),
        "not json",
    );
    write(
        &roots.crio.join(format!("{ID}/userdata/config.json")),
        r#"{"annotations":{"io.kubernetes.pod.name":"no-namespace"}}"#,
    );
    assert_eq!(
        name_from_cgroup(&format!("0::/docker-{ID}.scope\n"), &roots),
        named("docker:4f1c2b3a9d8e", "docker:4f1c2b3a9d8e")
    );
    assert_eq!(
        name_from_cgroup(&format!("0::/crio-{ID}.scope\n"), &roots),
        named("crio:4f1c2b3a9d8e", "crio:4f1c2b3a9d8e")
    );
}
