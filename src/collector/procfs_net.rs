//! Kernel counters from `/proc/net/netstat` (`TcpExt`) and `/proc/net/snmp`
//! (`Tcp`), and TCP tunables from `/proc/sys`.
//!
//! Both counter files hold pairs of lines, a header of field names and a
//! line of values, each prefixed by the group (`TcpExt:`). We parse them
//! ourselves: procfs has no netstat parser and its snmp parser fails whole
//! when any line is missing.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The tunables sockscope reads, by sysctl name.
pub const TUNABLES: [&str; 10] = [
    "net.core.somaxconn",
    "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.tcp_abort_on_overflow",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_tw_reuse",
    "net.ipv4.tcp_max_tw_buckets",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_timestamps",
];

/// Adds every field of group `group` in `text` to `out`. Fields whose value
/// is not an unsigned integer are skipped. Returns how many were added.
pub fn parse_group(text: &str, group: &str, out: &mut BTreeMap<String, u64>) -> usize {
    let prefix = format!("{group}:");
    let mut lines = text.lines().filter(|l| l.starts_with(&prefix));
    let mut added = 0;
    while let (Some(names), Some(values)) = (lines.next(), lines.next()) {
        let names = names[prefix.len()..].split_whitespace();
        let values = values[prefix.len()..].split_whitespace();
        for (name, value) in names.zip(values) {
            if let Ok(v) = value.parse::<u64>() {
                out.insert(name.to_owned(), v);
                added += 1;
            }
        }
    }
    added
}

/// Reads `TcpExt` from `<net_dir>/netstat` and `Tcp` from `<net_dir>/snmp`.
/// What cannot be read is said in `notes`.
pub fn read_counters(net_dir: &Path, notes: &mut Vec<String>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (file, group) in [("netstat", "TcpExt"), ("snmp", "Tcp")] {
        let path = net_dir.join(file);
        match fs::read_to_string(&path) {
            Ok(text) => {
                if parse_group(&text, group, &mut out) == 0 {
                    notes.push(format!("{} has no {group} counters", path.display()));
                }
            }
            Err(e) => notes.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    out
}

/// Reads [`TUNABLES`] under `sys_dir` (normally `/proc/sys`).
pub fn read_tunables(sys_dir: &Path, notes: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for name in TUNABLES {
        let path = sys_dir.join(name.replace('.', "/"));
        match fs::read_to_string(&path) {
            Ok(v) => {
                let folded = v.split_whitespace().collect::<Vec<_>>().join(" ");
                out.insert(name.to_owned(), folded);
            }
            Err(e) => notes.push(format!("cannot read {}: {e}", path.display())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NETSTAT: &str = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n\
                           TcpExt: 1 37 38\n\
                           IpExt: InNoRoutes\n\
                           IpExt: 5\n";

    #[test]
    fn parses_only_the_group() {
        let mut out = BTreeMap::new();
        assert_eq!(parse_group(NETSTAT, "TcpExt", &mut out), 3);
        assert_eq!(out["ListenOverflows"], 37);
        assert_eq!(out["ListenDrops"], 38);
        assert!(!out.contains_key("InNoRoutes"));
    }

    #[test]
    fn skips_negative_fields_and_missing_value_lines() {
        let snmp = "Tcp: RtoAlgorithm MaxConn ActiveOpens\nTcp: 1 -1 12\nUdp: InDatagrams\n";
        let mut out = BTreeMap::new();
        assert_eq!(parse_group(snmp, "Tcp", &mut out), 2);
        assert_eq!(out.get("MaxConn"), None);
        assert_eq!(out["ActiveOpens"], 12);
        assert_eq!(parse_group("TcpExt: A B\n", "TcpExt", &mut out), 0);
    }

    #[test]
    fn missing_files_become_notes() {
        let mut notes = Vec::new();
        let out = read_counters(Path::new("/nonexistent-sockscope"), &mut notes);
        assert!(out.is_empty());
        assert_eq!(notes.len(), 2);
        assert!(
            notes[0].contains("/nonexistent-sockscope/netstat"),
            "{notes:?}"
        );
    }
}
