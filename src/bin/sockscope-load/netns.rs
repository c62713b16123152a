//! Guards and sysctls of the namespace the load lives in.

use std::fs;

use anyhow::{Context, bail};

/// Ephemeral ports for the load: the widest range the kernel allows.
const PORT_RANGE: &str = "1024 65535";

/// Refuses to run in a namespace with any interface but `lo` (from
/// `/proc/self/net/dev`): that is not a private benchmark namespace, and
/// the load and its sysctls would land on a real host or container.
pub fn refuse_shared_namespace() -> anyhow::Result<()> {
    let dev = fs::read_to_string("/proc/self/net/dev").context("cannot read /proc/self/net/dev")?;
    let others: Vec<&str> = dev
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .filter(|name| *name != "lo")
        .collect();
    if !others.is_empty() {
        bail!(
            "refusing to load a network namespace that has interfaces besides lo ({}); run inside a private one (`ip netns exec NAME sockscope-load` or `unshare -n`), as scripts/bench.sh does",
            others.join(", ")
        );
    }
    Ok(())
}

fn write_sysctl(name: &str, value: &str) -> anyhow::Result<()> {
    let path = format!("/proc/sys/{}", name.replace('.', "/"));
    fs::write(&path, value).with_context(|| format!("cannot set {name} = {value} ({path})"))
}

/// Per-namespace sysctls: the widest ephemeral port range, no TIME_WAIT
/// reuse (loopback reuse would eat the TIME_WAIT sockets we keep), and room
/// for `time_wait` TIME_WAIT buckets.
pub fn prepare_sysctls(time_wait: u32) -> anyhow::Result<()> {
    write_sysctl("net.ipv4.ip_local_port_range", PORT_RANGE)?;
    write_sysctl("net.ipv4.tcp_tw_reuse", "0")?;
    let buckets = (u64::from(time_wait) * 2).max(262_144);
    write_sysctl("net.ipv4.tcp_max_tw_buckets", &buckets.to_string())?;
    write_sysctl("net.core.somaxconn", "65535")
}
