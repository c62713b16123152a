//! Per-second rates of kernel counters between consecutive samples, for the
//! dashboard's counters panel. Pure: the time between samples is the
//! difference of their `taken_at`.

use super::history::Frame;

/// The counters of the counters panel, in display order, as named in
/// `/proc/net/netstat` (`TcpExt`) or `/proc/net/snmp` (`Tcp: EstabResets`).
pub const PANEL_COUNTERS: [&str; 12] = [
    "ListenOverflows",
    "ListenDrops",
    "TCPReqQFullDrop",
    "TCPReqQFullDoCookies",
    "SyncookiesSent",
    "SyncookiesRecv",
    "SyncookiesFailed",
    "TCPTimeWaitOverflow",
    "TW",
    "TCPAbortOnData",
    "TCPAbortOnClose",
    "EstabResets",
];

/// Rate of counter `name`, events per second, between each pair of
/// consecutive `frames` (oldest first): one value per pair. `None` where
/// either sample lacks the counter, time did not advance, or the counter
/// went down (a namespace reset).
pub fn rate_series<'a>(
    frames: impl IntoIterator<Item = &'a Frame>,
    name: &str,
) -> Vec<Option<f64>> {
    let mut out = Vec::new();
    let mut prev: Option<&Frame> = None;
    for f in frames {
        if let Some(p) = prev {
            out.push(rate(p, f, name));
        }
        prev = Some(f);
    }
    out
}

fn rate(a: &Frame, b: &Frame, name: &str) -> Option<f64> {
    let (x, y) = (
        a.snapshot.counters.get(name)?,
        b.snapshot.counters.get(name)?,
    );
    let secs = b
        .snapshot
        .taken_at
        .duration_since(a.snapshot.taken_at)
        .as_secs_f64();
    (secs > 0.0 && y >= x).then(|| (y - x) as f64 / secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::snapshot;

    fn frame(at: &str, value: Option<u64>) -> Frame {
        let mut s = snapshot(at, vec![]);
        if let Some(v) = value {
            s.counters.insert("ListenOverflows".into(), v);
        }
        Frame::new(s)
    }

    #[test]
    fn rates_divide_by_the_time_between_samples() {
        let frames = [
            frame("2026-11-24T00:00:00Z", Some(10)),
            frame("2026-11-24T00:00:02Z", Some(30)),
            frame("2026-11-24T00:00:02.500Z", Some(31)),
            frame("2026-11-24T00:00:03Z", None),
            frame("2026-11-24T00:00:04Z", Some(5)),
            frame("2026-11-24T00:00:05Z", Some(5)),
        ];
        assert_eq!(
            rate_series(&frames, "ListenOverflows"),
            [Some(10.0), Some(2.0), None, None, Some(0.0)]
        );
        assert!(rate_series(&frames[..1], "ListenOverflows").is_empty());
    }
}
