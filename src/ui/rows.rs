//! Which rows each table shows, in which order: filtering and sorting of the
//! shown sample, done once per change (not per frame drawn).

use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::columns;
use super::filter::{Filter, contains};
use super::nav::Sort;
use super::views::connections::ConnCol;
use super::views::listeners::ListenerCol;
use super::views::remotes::RemoteCol;
use super::views::unix::UnixCol;
use crate::model::process::ProcessTable;
use crate::model::{
    Aggregate, Frame, Listener, Remote, TcpState, Tracker, UnixListener, trouble_first,
};

/// A stable identity for selection keeping.
pub fn key<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Compares two rows of a table.
type Compare<'a, T> = dyn Fn(&T, &T) -> Ordering + 'a;

fn directed(ord: Ordering, sort: Sort) -> Ordering {
    if sort.reverse { ord.reverse() } else { ord }
}

fn permille(queue: u64, backlog: u64) -> u64 {
    (queue * 1000).checked_div(backlog).unwrap_or(0)
}

fn addr_order(a: &SocketAddr, b: &SocketAddr) -> Ordering {
    (a.port(), a.is_ipv6(), a.ip()).cmp(&(b.port(), b.is_ipv6(), b.ip()))
}

/// Listener rows of `agg` matching `filter`, ordered by `sort`.
/// Free text also matches the owning process (`nginx[812]`) from `processes`.
pub fn listeners(
    agg: &Aggregate,
    processes: &ProcessTable,
    filter: &Filter,
    sort: Sort,
) -> Vec<u32> {
    use TcpState::*;
    let mut rows: Vec<u32> = (0..agg.listeners.len() as u32)
        .filter(|&i| listener_matches(&agg.listeners[i as usize], processes, filter))
        .collect();
    let ls = &agg.listeners;
    let desc = |f: fn(&Listener) -> u64| move |a: &Listener, b: &Listener| f(b).cmp(&f(a));
    let cmp: Box<Compare<'_, Listener>> = match columns::sorted_by::<ListenerCol>(sort) {
        None | Some(ListenerCol::Marker) => Box::new(trouble_first),
        Some(ListenerCol::Local) => Box::new(|a, b| addr_order(&a.local, &b.local)),
        Some(ListenerCol::Netns) => Box::new(|a, b| a.netns.cmp(&b.netns)),
        // A listener is as full as its fullest SO_REUSEPORT member: the sums
        // (65/64 + 0/64 = 65/128) would hide a full member behind an idle one.
        Some(ListenerCol::AcceptQ | ListenerCol::Fill) => {
            Box::new(|a, b| b.fill_rank().cmp(&a.fill_rank()))
        }
        Some(ListenerCol::SynRecv) => Box::new(desc(|l| l.states[SynRecv])),
        Some(ListenerCol::Estab) => Box::new(desc(|l| l.states[Established])),
        Some(ListenerCol::TimeWait) => Box::new(desc(|l| l.states[TimeWait])),
        Some(ListenerCol::CloseWait) => Box::new(desc(|l| l.states[CloseWait])),
        // Listeners without a known process go last.
        Some(ListenerCol::Process) => Box::new(|a, b| {
            let label = |l: &Listener| processes.label(&l.processes);
            let (pa, pb) = (label(a), label(b));
            (pa.is_empty(), pa).cmp(&(pb.is_empty(), pb))
        }),
        Some(ListenerCol::Members) => Box::new(desc(|l| l.members.len() as u64)),
        Some(ListenerCol::FinWait1) => Box::new(desc(|l| l.states[FinWait1])),
        Some(ListenerCol::FinWait2) => Box::new(desc(|l| l.states[FinWait2])),
        Some(ListenerCol::LastAck) => Box::new(desc(|l| l.states[LastAck])),
        Some(ListenerCol::Sockets) => Box::new(desc(Listener::sockets)),
    };
    rows.sort_by(|&a, &b| {
        let (la, lb) = (&ls[a as usize], &ls[b as usize]);
        directed(cmp(la, lb), sort).then_with(|| addr_order(&la.local, &lb.local))
    });
    rows
}

/// Whether remote `r` matches `filter` (its port, a state it has, its
/// address, the local address it uses or an owning process).
pub fn remote_matches(r: &Remote, processes: &ProcessTable, filter: &Filter) -> bool {
    filter.matches(
        |p| r.remote.port() == p,
        |s| r.states[s] > 0,
        |t| {
            contains(&r.remote.to_string(), t)
                || contains(&r.local_ip.to_string(), t)
                || contains(&processes.label(&r.processes), t)
        },
    )
}

fn listener_matches(l: &Listener, processes: &ProcessTable, filter: &Filter) -> bool {
    filter.matches(
        |p| l.local.port() == p,
        |s| s == TcpState::Listen || l.states[s] > 0,
        |t| contains(&l.local.to_string(), t) || contains(&processes.label(&l.processes), t),
    )
}

/// Remote rows of `agg` matching `filter`, ordered by `sort` (by default
/// most sockets first). Free text also matches the owning processes.
pub fn remotes(agg: &Aggregate, processes: &ProcessTable, filter: &Filter, sort: Sort) -> Vec<u32> {
    use TcpState::*;
    let rs = &agg.remotes;
    let mut rows: Vec<u32> = (0..rs.len() as u32)
        .filter(|&i| remote_matches(&rs[i as usize], processes, filter))
        .collect();
    let by_addr =
        |a: &Remote, b: &Remote| addr_order(&a.remote, &b.remote).then(a.local_ip.cmp(&b.local_ip));
    let desc = |f: fn(&Remote) -> u64| move |a: &Remote, b: &Remote| f(b).cmp(&f(a));
    let cmp: Box<Compare<'_, Remote>> = match columns::sorted_by::<RemoteCol>(sort) {
        None | Some(RemoteCol::Sockets) => Box::new(desc(|r| r.states.total())),
        Some(RemoteCol::Remote) => Box::new(by_addr),
        Some(RemoteCol::From) => Box::new(|a, b| a.local_ip.cmp(&b.local_ip)),
        Some(RemoteCol::Process) => Box::new(|a, b| {
            let label = |r: &Remote| processes.label(&r.processes);
            let (pa, pb) = (label(a), label(b));
            (pa.is_empty(), pa).cmp(&(pb.is_empty(), pb))
        }),
        Some(RemoteCol::Estab) => Box::new(desc(|r| r.states[Established])),
        Some(RemoteCol::SynSent) => Box::new(desc(|r| r.states[SynSent])),
        Some(RemoteCol::TimeWait) => Box::new(desc(|r| r.states[TimeWait])),
        Some(RemoteCol::CloseWait) => Box::new(desc(|r| r.states[CloseWait])),
        Some(RemoteCol::PortsUsed) => Box::new(desc(|r| r.local_ports)),
    };
    rows.sort_by(|&a, &b| {
        let (ra, rb) = (&rs[a as usize], &rs[b as usize]);
        directed(cmp(ra, rb), sort).then_with(|| by_addr(ra, rb))
    });
    rows
}

/// UNIX listener rows matching `filter`, ordered by `sort` (by default
/// fullest queue first); free text also matches the owning processes
/// (`unix_processes`, at the same index as `list`).
pub fn unix(
    list: &[UnixListener],
    owners: &[Vec<u32>],
    processes: &ProcessTable,
    filter: &Filter,
    sort: Sort,
) -> Vec<u32> {
    let label = |i: usize| {
        owners
            .get(i)
            .map_or_else(String::new, |o| processes.label(o))
    };
    let mut rows: Vec<u32> = (0..list.len() as u32)
        .filter(|&i| {
            let u = &list[i as usize];
            filter.matches(
                |_| false,
                |s| s == TcpState::Listen,
                |t| contains(&u.path, t) || contains(&label(i as usize), t),
            )
        })
        .collect();
    let fill = |u: &UnixListener| {
        let f = permille(u64::from(u.accept_queue), u64::from(u.backlog));
        (f, u.accept_queue)
    };
    rows.sort_by(|&a, &b| {
        let (ua, ub) = (&list[a as usize], &list[b as usize]);
        let ord = match columns::sorted_by::<UnixCol>(sort) {
            None | Some(UnixCol::Pending) => fill(ub).cmp(&fill(ua)),
            Some(UnixCol::Path) => ua.path.cmp(&ub.path),
            Some(UnixCol::Kind) => (ua.kind as u8).cmp(&(ub.kind as u8)),
            Some(UnixCol::Inode) => ua.inode.cmp(&ub.inode),
            Some(UnixCol::Process) => {
                let (pa, pb) = (label(a as usize), label(b as usize));
                (pa.is_empty(), pa).cmp(&(pb.is_empty(), pb))
            }
        };
        directed(ord, sort)
            .then_with(|| ua.path.cmp(&ub.path))
            .then(ua.inode.cmp(&ub.inode))
    });
    rows
}

/// Connection rows (indices into `frame.snapshot.tcp`) among `sockets`
/// (a listener's or a remote's) matching `filter`, ordered by `sort`; by
/// default by age ([`Tracker::age_of`]), oldest first.
pub fn connections(
    frame: &Frame,
    sockets: impl Iterator<Item = usize>,
    tracker: &Tracker,
    filter: &Filter,
    sort: Sort,
) -> Vec<u32> {
    let tcp = &frame.snapshot.tcp;
    let mut rows: Vec<u32> = sockets
        .filter(|&i| {
            let s = &tcp[i];
            filter.matches(
                |p| s.remote.port() == p || s.local.port() == p,
                |st| s.state == st,
                |t| contains(&s.remote.to_string(), t) || contains(&s.local.to_string(), t),
            )
        })
        .map(|i| i as u32)
        .collect();
    let by = columns::sorted_by::<ConnCol>(sort);
    // PROCESS sorts by the first owner's name then pid: rank each process once.
    let rank: Vec<i64> = if by == Some(ConnCol::Process) {
        let list = &frame.snapshot.processes.list;
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&a, &b| (&list[a].comm, list[a].pid).cmp(&(&list[b].comm, list[b].pid)));
        let mut rank = vec![0; list.len()];
        for (r, p) in order.into_iter().enumerate() {
            rank[p] = r as i64;
        }
        rank
    } else {
        Vec::new()
    };
    // One sort key per row, computed once: a million rows sort in a blink
    // instead of doing a tracker lookup per comparison.
    let key = |i: u32| -> i64 {
        let s = &tcp[i as usize];
        match by {
            None | Some(ConnCol::SeenFor) => tracker
                .age_of(&frame.snapshot, s)
                .map_or(i64::MAX, |a| -(a.ms.min(i64::MAX as u64) as i64)),
            Some(ConnCol::State) => s.state as i64,
            Some(ConnCol::RecvQ) => -i64::from(s.recv_q),
            Some(ConnCol::SendQ) => -i64::from(s.send_q),
            Some(ConnCol::Timer) => -((s.timer as i64) << 33) + i64::from(s.expires_ms),
            Some(ConnCol::Process) => {
                let owners = frame.agg.processes_of(&frame.snapshot, i as usize);
                owners.first().map_or(i64::MAX, |&p| rank[p as usize])
            }
            Some(ConnCol::Peer | ConnCol::Local) => 0,
        }
    };
    let mut keyed: Vec<(i64, u32)> = rows.iter().map(|&r| (key(r), r)).collect();
    keyed.sort_unstable_by(|&(ka, a), &(kb, b)| {
        let (sa, sb) = (&tcp[a as usize], &tcp[b as usize]);
        let ord = match by {
            Some(ConnCol::Peer) => sa.remote.cmp(&sb.remote),
            Some(ConnCol::Local) => sa.local.cmp(&sb.local),
            _ => ka.cmp(&kb),
        };
        directed(ord, sort).then(a.cmp(&b))
    });
    rows.clear();
    rows.extend(keyed.into_iter().map(|(_, r)| r));
    rows
}

/// The processes holding the sockets `rows` (indices into
/// `frame.snapshot.tcp`), with how many each holds, most first (ties by
/// index into `snapshot.processes.list`).
pub fn owners_of(frame: &Frame, rows: &[u32]) -> Vec<(u32, u64)> {
    let mut held: Vec<u32> = rows
        .iter()
        .flat_map(|&r| frame.agg.processes_of(&frame.snapshot, r as usize))
        .copied()
        .collect();
    let mut out: Vec<(u32, u64)> = Vec::new();
    runs(&mut held, |p, n| out.push((p, n)));
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The peers (remote addresses) with the most connections among `rows`,
/// most first (ties by address), at most `n`.
///
/// Counted by sorting the addresses and measuring runs rather than hashing:
/// with a million rows that mostly come from distinct peers, a sort of
/// plain integers is several times faster than growing a hash map.
pub fn top_peers(frame: &Frame, rows: &[u32], n: usize) -> Vec<(IpAddr, u64)> {
    let tcp = &frame.snapshot.tcp;
    let mut v4: Vec<u32> = Vec::new();
    let mut v6: Vec<u128> = Vec::new();
    for &r in rows {
        match tcp[r as usize].remote.ip() {
            IpAddr::V4(a) => v4.push(a.to_bits()),
            IpAddr::V6(a) => v6.push(a.to_bits()),
        }
    }
    let mut peers: Vec<(IpAddr, u64)> = Vec::new();
    runs(&mut v4, |bits, count| {
        peers.push((IpAddr::V4(Ipv4Addr::from_bits(bits)), count))
    });
    runs(&mut v6, |bits, count| {
        peers.push((IpAddr::V6(Ipv6Addr::from_bits(bits)), count))
    });
    let order = |a: &(IpAddr, u64), b: &(IpAddr, u64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    // Only the first `n` need sorting: split around the n-th in linear time.
    if n < peers.len() {
        peers.select_nth_unstable_by(n, order);
        peers.truncate(n);
    }
    peers.sort_unstable_by(order);
    peers
}

/// Sorts `keys` and calls `each` with every distinct key and its count.
fn runs<K: Ord + Copy>(keys: &mut [K], mut each: impl FnMut(K, u64)) {
    keys.sort_unstable();
    for run in keys.chunk_by(|a, b| a == b) {
        each(run[0], run.len() as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TcpState::*;
    use crate::model::fixtures::{listen, snapshot, sock};
    use crate::ui::columns::Columns;

    fn frame() -> Frame {
        Frame::new(snapshot(
            "2026-11-24T00:00:00Z",
            vec![
                listen("0.0.0.0:22", 0, 128, 1),
                listen("0.0.0.0:80", 10, 128, 2),
                listen("127.0.0.1:8080", 3, 4, 3),
                sock(CloseWait, "10.0.0.1:22", "10.0.0.9:4000", 4),
                sock(CloseWait, "10.0.0.1:22", "10.0.0.9:4001", 5),
                sock(Established, "10.0.0.1:80", "10.0.0.8:4000", 6),
            ],
        ))
    }

    fn locals(f: &Frame, rows: &[u32]) -> Vec<String> {
        rows.iter()
            .map(|&i| f.agg.listeners[i as usize].local.to_string())
            .collect()
    }

    #[test]
    fn trouble_first_then_each_column() {
        let f = frame();
        let all = Filter::default();
        let trouble = listeners(&f.agg, &ProcessTable::default(), &all, Sort::default());
        assert_eq!(
            locals(&f, &trouble),
            ["127.0.0.1:8080", "0.0.0.0:80", "0.0.0.0:22"]
        );
        let cw = listeners(
            &f.agg,
            &ProcessTable::default(),
            &all,
            Sort {
                column: ListenerCol::CloseWait.sort_number(),
                reverse: false,
            },
        );
        assert_eq!(locals(&f, &cw)[0], "0.0.0.0:22");
        let local_rev = listeners(
            &f.agg,
            &ProcessTable::default(),
            &all,
            Sort {
                column: ListenerCol::Local.sort_number(),
                reverse: true,
            },
        );
        assert_eq!(
            locals(&f, &local_rev),
            ["127.0.0.1:8080", "0.0.0.0:80", "0.0.0.0:22"]
        );
    }

    #[test]
    fn a_full_reuseport_member_sorts_before_a_fuller_looking_sum() {
        // 127.0.0.1:8080 has one member at 65/64 and one at 0/64 (sum 65/128,
        // 51%); 0.0.0.0:80 is a single socket at 100/128 (78%).
        let f = Frame::new(snapshot(
            "2026-11-24T00:00:00Z",
            vec![
                listen("0.0.0.0:80", 100, 128, 1),
                listen("127.0.0.1:8080", 65, 64, 2),
                listen("127.0.0.1:8080", 0, 64, 3),
            ],
        ));
        let all = Filter::default();
        let procs = ProcessTable::default();
        let trouble = listeners(&f.agg, &procs, &all, Sort::default());
        assert_eq!(locals(&f, &trouble), ["127.0.0.1:8080", "0.0.0.0:80"]);
        let by_fill = Sort {
            column: ListenerCol::AcceptQ.sort_number(),
            reverse: false,
        };
        let rows = listeners(&f.agg, &procs, &all, by_fill);
        assert_eq!(locals(&f, &rows), ["127.0.0.1:8080", "0.0.0.0:80"]);
    }

    #[test]
    fn filters_by_port_state_and_text() {
        let f = frame();
        let s = Sort {
            column: ListenerCol::Local.sort_number(),
            reverse: false,
        };
        let rows = |q: &str| {
            locals(
                &f,
                &listeners(&f.agg, &ProcessTable::default(), &Filter::parse(q), s),
            )
        };
        assert_eq!(rows(":80"), ["0.0.0.0:80"]);
        assert_eq!(rows("state:close_wait"), ["0.0.0.0:22"]);
        assert_eq!(rows("127.0"), ["127.0.0.1:8080"]);
        assert_eq!(rows("state:listen").len(), 3);
        assert!(rows("nginx").is_empty());
    }

    #[test]
    fn connections_and_peers_of_a_listener() {
        let f = frame();
        let idx = f
            .agg
            .listener_index(0, "0.0.0.0:22".parse().unwrap())
            .unwrap();
        let rows = connections(
            &f,
            f.agg.connections_of(idx),
            &Tracker::default(),
            &Filter::default(),
            Sort {
                column: ConnCol::Peer.sort_number(),
                reverse: false,
            },
        );
        assert_eq!(rows, [3, 4]);
        assert_eq!(top_peers(&f, &rows, 5), [("10.0.0.9".parse().unwrap(), 2)]);
        let only = connections(
            &f,
            f.agg.connections_of(idx),
            &Tracker::default(),
            &Filter::parse(":4001"),
            Sort::default(),
        );
        assert_eq!(only, [4]);
    }

    #[test]
    fn top_peers_count_both_families_and_break_ties_by_address() {
        let peers = [
            "[2001:db8::1]:1",
            "10.0.0.2:1",
            "[2001:db8::1]:2",
            "10.0.0.1:1",
            "10.0.0.2:2",
            "[2001:db8::1]:3",
            "10.0.0.3:1",
        ];
        let tcp = peers
            .iter()
            .enumerate()
            .map(|(i, p)| sock(TcpState::Established, "10.0.0.100:40000", p, i as u64 + 1))
            .collect();
        let f = Frame::new(snapshot("2026-11-24T00:00:00Z", tcp));
        let rows: Vec<u32> = (0..peers.len() as u32).collect();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            top_peers(&f, &rows, 3),
            [
                (ip("2001:db8::1"), 3),
                (ip("10.0.0.2"), 2),
                (ip("10.0.0.1"), 1)
            ]
        );
        assert_eq!(top_peers(&f, &rows, 10).len(), 4);
        assert!(top_peers(&f, &[], 3).is_empty());
    }
}
