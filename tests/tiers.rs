//! The two tiers of collection on real sockets in private namespaces: the
//! queues tier (LISTEN-only dumps, sockstat) against `ss -tlnme` and
//! `ss -s`, kept states between full dumps, full dumps against `ss -tan`,
//! and the budget that still gives the focused namespace a full dump
//! every round.

mod common;

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::os::unix::fs::MetadataExt;

use common::netns::{NamedNetns, Place, Server, ServerSpec};
use common::*;
use sockscope::collector::all_netns::AllNetns;
use sockscope::collector::tiered::{Needs, Tier};
use sockscope::collector::{LiveSource, RoundSource, Source};
use sockscope::model::{Aggregate, Snapshot, StatesTier, TcpState, Tiers};

/// `inode → (Recv-Q, Send-Q, d)` of every LISTEN socket in `ss -tlnme` output.
fn ss_listeners(out: &str) -> BTreeMap<u32, (u32, u32, u32)> {
    let drops = common::skmem::ss_drops(out);
    out.lines()
        .filter(|l| l.starts_with("LISTEN"))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let inode = w
                .iter()
                .find_map(|w| w.strip_prefix("ino:"))
                .expect("ss -e prints ino:N")
                .parse()
                .unwrap();
            (
                inode,
                (w[1].parse().unwrap(), w[2].parse().unwrap(), drops[&inode]),
            )
        })
        .collect()
}

/// The same from a snapshot.
fn our_listeners(snap: &Snapshot) -> BTreeMap<u32, (u32, u32, u32)> {
    snap.tcp
        .iter()
        .filter(|s| s.state == TcpState::Listen)
        .map(|s| (s.inode, (s.recv_q, s.send_q, s.drops.unwrap())))
        .collect()
}

fn tiers(snap: &Snapshot) -> Tiers {
    snap.collector
        .tiers
        .expect("a live collection says its tiers")
}

/// Counts by `ss -tan` state name (`ESTAB`, `TIME-WAIT`, ...), and of
/// IPv4 sockets in the namespace's hashes (what sockstat's `TCP: inuse`
/// counts: neither TIME_WAIT nor request sockets).
fn ss_states() -> (BTreeMap<String, u64>, u64, u64) {
    let out = ss(&["-tan"]).expect("ss is installed");
    let mut states = BTreeMap::new();
    let (mut inuse4, mut inuse6) = (0, 0);
    for line in out.lines().skip(1) {
        let w: Vec<&str> = line.split_whitespace().collect();
        *states.entry(w[0].to_owned()).or_insert(0) += 1;
        if w[0] != "TIME-WAIT" && w[0] != "SYN-RECV" {
            if w[3].starts_with('[') {
                inuse6 += 1;
            } else {
                inuse4 += 1;
            }
        }
    }
    (states, inuse4, inuse6)
}

fn our_states(snap: &Snapshot) -> BTreeMap<String, u64> {
    let mut states = BTreeMap::new();
    for s in &snap.tcp {
        *states.entry(s.state.ss_name().to_owned()).or_insert(0) += 1;
    }
    states
}

/// `n` connections to `addr`, each accepted: (client, server) pairs.
fn pairs(l: &socket2::Socket, addr: &str, n: usize) -> Vec<(TcpStream, socket2::Socket)> {
    (0..n)
        .map(|_| {
            let c = connect(addr, None);
            let (s, _) = l.accept().unwrap();
            (c, s)
        })
        .collect()
}

#[test]
fn the_listen_tier_matches_ss_tln_per_listener() {
    if !tools::need("ss", "the kernel's own view to compare with") {
        return;
    }
    if !private_netns() {
        return;
    }
    let _full = listener("127.0.0.1:7201", 2, false);
    let _pool = [
        listener("127.0.0.1:7202", 8, true),
        listener("127.0.0.1:7202", 8, true),
    ];
    let _v6 = listener("[::1]:7203", 16, false);
    let idle = listener("127.0.0.1:7204", 32, false);
    let _accepted = pairs(&idle, "127.0.0.1:7204", 2);
    let _queued: Vec<_> = (0..3).map(|_| connect("127.0.0.1:7202", None)).collect();
    let _v6_queued = connect("[::1]:7203", None);
    let _overflow: Vec<_> = (0..8).map(|_| connect_nowait("127.0.0.1:7201")).collect();

    let mut source = LiveSource::open().unwrap().keeping_states();
    let first = source.collect().unwrap();
    assert_eq!(tiers(&first).states, StatesTier::FullDump);
    let mut settled = None;
    for _ in 0..100 {
        let before = source.collect_tier(Tier::Queues).unwrap();
        let out = ss(&["-tlnme"]).unwrap();
        let after = source.collect_tier(Tier::Queues).unwrap();
        if our_listeners(&before) == our_listeners(&after) {
            settled = Some((before, out));
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (snap, out) = settled.expect("the listeners held still across one `ss` run");
    assert_eq!(tiers(&snap).states, StatesTier::Kept);
    let ours = our_listeners(&snap);
    assert_eq!(ours, ss_listeners(&out), "ss -tlnme:\n{out}");
    assert_eq!(ours.len(), 5);
    let agg = Aggregate::build(&snap);
    let find = |port| {
        agg.listeners
            .iter()
            .find(|l| l.local.port() == port)
            .unwrap()
    };
    assert_eq!((find(7201).accept_queue, find(7201).backlog), (3, 2));
    assert!(find(7201).drops().unwrap() > 0, "the full queue dropped");
    assert_eq!((find(7202).accept_queue, find(7202).members.len()), (3, 2));
    assert_eq!(find(7203).accept_queue, 1);
    assert_eq!(
        find(7204).states[TcpState::Established],
        2,
        "the kept states still hold the accepted connections"
    );
}

#[test]
fn sockstat_matches_ss_s_and_the_sockets_themselves() {
    if !tools::need("ss", "the kernel's own view to compare with") {
        return;
    }
    if !private_netns() {
        return;
    }
    let l4 = listener("127.0.0.1:7301", 64, false);
    let l6 = listener("[::1]:7302", 64, false);
    let _extra = listener("127.0.0.1:7303", 64, false);
    let _open4 = pairs(&l4, "127.0.0.1:7301", 4);
    let _open6 = pairs(&l6, "[::1]:7302", 2);
    // The side that closes first ends in TIME_WAIT: three on our clients.
    for (c, s) in pairs(&l4, "127.0.0.1:7301", 3) {
        drop(c);
        drop(s);
    }
    let (states, inuse4, inuse6) = loop {
        let got = ss_states();
        let settled = got.0.get("TIME-WAIT") == Some(&3)
            && !got.0.contains_key("FIN-WAIT-2")
            && !got.0.contains_key("LAST-ACK");
        if settled {
            break got;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let summary = ss(&["-s"]).unwrap();
    let snap = LiveSource::open().unwrap().collect().unwrap();
    let stat = tiers(&snap).sockstat.expect("sockstat was read");

    let transport: Vec<u64> = summary
        .lines()
        .find(|l| l.starts_with("TCP\t") || l.starts_with("TCP "))
        .expect("ss -s has a TCP transport row")
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let timewait: u64 = summary
        .split("timewait ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .expect("ss -s prints timewait N");
    assert_eq!(
        (stat.tcp_inuse, stat.tcp6_inuse, stat.tcp_tw),
        (transport[1], transport[2], timewait),
        "ss -s:\n{summary}"
    );
    assert_eq!(
        (stat.tcp_inuse, stat.tcp6_inuse, stat.tcp_tw),
        (inuse4, inuse6, 3),
        "ss -tan states: {states:?}"
    );
    assert_eq!(
        (inuse4, inuse6),
        (2 + 4 * 2, 1 + 2 * 2),
        "listeners and both ends"
    );
    assert_eq!(our_states(&snap), states, "the full dump equals ss -tan");
}

#[test]
fn between_full_dumps_the_states_are_kept_and_a_full_dump_equals_ss_tan() {
    if !tools::need("ss", "the kernel's own view to compare with") {
        return;
    }
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7401", 16, false);
    let mut open = pairs(&l, "127.0.0.1:7401", 5);
    let mut source = LiveSource::open().unwrap().keeping_states();
    let first = source.collect_tier(Tier::Full).unwrap();
    assert_eq!(our_states(&first), ss_states().0);
    assert_eq!(tiers(&first).states_age(), None);

    open.truncate(2);
    let _queued = connect("127.0.0.1:7401", None);
    let (now, _, _) = loop {
        let got = ss_states();
        if !got.0.contains_key("FIN-WAIT-1") && !got.0.contains_key("LAST-ACK") {
            break got;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let kept = source.collect_tier(Tier::Queues).unwrap();
    let t = tiers(&kept);
    assert_eq!(
        (t.states, t.kept_namespaces, t.states_cpu_us),
        (StatesTier::Kept, 1, 0)
    );
    assert_eq!(
        t.states_age_ms,
        u64::try_from(kept.taken_at.duration_since(first.taken_at).as_millis()).unwrap(),
        "the age is the time between the two collections' starts"
    );
    let agg = Aggregate::build(&kept);
    assert_eq!(
        agg.listeners[0].accept_queue, 1,
        "the queue is this round's"
    );
    let non_listen = |s: &Snapshot| {
        s.tcp
            .iter()
            .filter(|s| s.state != TcpState::Listen)
            .map(|s| s.cookie)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        non_listen(&kept),
        non_listen(&first),
        "the states are the first dump's"
    );
    assert_ne!(
        our_states(&kept),
        now,
        "and so differ from the kernel's now"
    );
    let mut text = Vec::new();
    let extras = sockscope::export::text::Extras {
        alerts: &[],
        notes: &[],
        watch: None,
        sockets: None,
    };
    sockscope::export::text::write(&mut text, &kept, &agg, extras).unwrap();
    let text = String::from_utf8(text).unwrap();
    let tcp_line = text.lines().find(|l| l.starts_with("TCP  ")).unwrap();
    let said = format!(
        "  ({}; queues this round)",
        t.age_text().expect("kept states have an age")
    );
    assert!(tcp_line.ends_with(&said), "{tcp_line}");

    let full = source.collect_tier(Tier::Full).unwrap();
    assert_eq!(tiers(&full).states, StatesTier::FullDump);
    assert_eq!(
        our_states(&full),
        ss_states().0,
        "a full dump equals ss -tan"
    );
}

#[test]
fn a_zero_budget_dumps_a_single_namespace_only_when_focused() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7501", 16, false);
    let _open = pairs(&l, "127.0.0.1:7501", 3);
    let mut source = LiveSource::open().unwrap().with_budget(0.0);
    let tier = |s: &mut LiveSource| tiers(&s.collect().unwrap()).states;
    assert_eq!(tier(&mut source), StatesTier::FullDump, "the first round");
    for _ in 0..3 {
        assert_eq!(tier(&mut source), StatesTier::Kept);
    }
    source.needs(&Needs {
        focused: vec![0],
        alerting: Vec::new(),
    });
    for _ in 0..5 {
        assert_eq!(
            tier(&mut source),
            StatesTier::FullDump,
            "focused: every round"
        );
    }
    source.needs(&Needs::default());
    assert_eq!(tier(&mut source), StatesTier::Kept);
}

fn sockscope(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .output()
        .expect("run sockscope")
}

#[test]
fn exports_say_which_tier_each_part_came_from() {
    if !private_netns() {
        return;
    }
    let l = listener("127.0.0.1:7601", 16, false);
    let _open = pairs(&l, "127.0.0.1:7601", 2);
    let out = sockscope(&["snapshot", "--format", "json", "--no-processes"]);
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &doc["collector"]["tiers"];
    assert_eq!(
        (&t["queues"], &t["states"], &t["states_age_ms"]),
        (
            &serde_json::json!("listen_dump"),
            &serde_json::json!("full_dump"),
            &serde_json::json!(0)
        ),
        "a one-shot snapshot is one full dump: {t}"
    );
    assert_eq!(
        (&t["sockstat"]["tcp_inuse"], &t["sockstat"]["tcp_tw"]),
        (&serde_json::json!(5), &serde_json::json!(0)),
        "a listener and two connections' two ends: {t}"
    );
    let out = sockscope(&["snapshot", "--format", "prometheus", "--no-processes"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let age = text
        .lines()
        .find(|l| l.starts_with("sockscope_states_age_seconds{"))
        .unwrap_or_else(|| panic!("no states age in:\n{text}"));
    assert!(age.ends_with("} 0"), "{age}");
    let bad = sockscope(&["snapshot", "--full-dump-budget", "150"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(
        err.contains("--full-dump-budget 150: expected a percentage of one core from 0 to 100"),
        "{err}"
    );
}

/// `ss -tan` of the named namespace, counted by state.
fn ss_states_in(ns: &NamedNetns) -> BTreeMap<String, u64> {
    let out = std::process::Command::new("ip")
        .args(["netns", "exec", &ns.name, "ss", "-tan"])
        .output()
        .expect("run ip netns exec ss");
    assert!(out.status.success(), "{out:?}");
    let mut states = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines().skip(1) {
        let state = line.split_whitespace().next().unwrap().to_owned();
        *states.entry(state).or_insert(0) += 1;
    }
    states
}

/// The sample of namespace `ns` in round `r`.
fn sample_of<'r>(r: &'r sockscope::model::Round, ns: &NamedNetns) -> &'r Snapshot {
    let inode = std::fs::metadata(ns.path()).unwrap().ino();
    r.parts
        .iter()
        .find(|p| p.inode == inode)
        .and_then(|p| p.sample.as_ref())
        .unwrap_or_else(|| panic!("no sample of {}", ns.name))
}

/// The real scheduler over several real namespaces with no budget at all:
/// every round the focused one is dumped in full (and equals `ss -tan`
/// there), the others only in their first round; moving the focus moves
/// the full dumps.
#[test]
fn a_zero_budget_still_dumps_the_focused_namespace_every_round() {
    if !tools::need("ss", "the kernel's own view to compare with")
        || !tools::need("python3", "the servers inside the namespaces")
    {
        return;
    }
    let Some(spaces) = (0..3)
        .map(|_| NamedNetns::new())
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let _servers: Vec<Server> = spaces
        .iter()
        .zip(7701u16..)
        .map(|(ns, port)| {
            let spec = ServerSpec {
                port,
                backlog: 8,
                close_wait: 2,
                queued: 1,
                comm: "tiers-srv",
            };
            Server::start(Place::Named(ns), spec)
        })
        .collect();
    let inode = |ns: &NamedNetns| std::fs::metadata(ns.path()).unwrap().ino();
    let mut all = AllNetns::open(|s| s, 0.0);
    let wait = std::time::Duration::from_secs(5);
    for (focus, rounds) in [(1, 0..4), (2, 4..7)] {
        all.needs(&Needs {
            focused: vec![inode(&spaces[focus])],
            alerting: Vec::new(),
        });
        for round in rounds {
            let r = all.collect_round(wait);
            let sample = |ns: &NamedNetns| sample_of(&r, ns);
            for (i, ns) in spaces.iter().enumerate() {
                let got = tiers(sample(ns)).states;
                let full = i == focus || round == 0;
                assert_eq!(
                    got == StatesTier::FullDump,
                    full,
                    "round {round}, namespace {i}, focus {focus}: {got:?}"
                );
            }
            let focused = sample(&spaces[focus]);
            assert_eq!(
                our_states(focused),
                ss_states_in(&spaces[focus]),
                "round {round}: the focused namespace's full dump equals ss -tan there"
            );
            let agg = Aggregate::build(focused);
            assert_eq!(
                (
                    agg.listeners[0].accept_queue,
                    agg.listeners[0].states[TcpState::CloseWait]
                ),
                (1, 2)
            );
        }
    }
}

/// Waits (at most 5 s) until the `Tcp:` counters of `ns` stay the same
/// for 100 ms: the servers' last handshakes and FINs are done.
fn settle(ns: &NamedNetns) {
    let tcp = || {
        let out = std::process::Command::new("ip")
            .args(["netns", "exec", &ns.name, "cat", "/proc/net/snmp"])
            .output()
            .expect("run ip netns exec cat");
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .filter(|l| l.starts_with("Tcp:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut before = tcp();
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let now = tcp();
        if now == before {
            return;
        }
        before = now;
    }
}

/// Two namespaces, each with a server of `comm` (on `port` and the next
/// one: 2 connections in CLOSE_WAIT, 1 queued), their handshakes done;
/// `None` when `ss`, `python3` or namespaces are missing.
fn served_pair(comm: &str, port: u16) -> Option<(NamedNetns, NamedNetns, Server, Server)> {
    if !tools::need("ss", "the kernel's own view to compare with")
        || !tools::need("python3", "the servers inside the namespaces")
    {
        return None;
    }
    let (busy, quiet) = NamedNetns::pair()?;
    let spec = |port| ServerSpec {
        port,
        backlog: 8,
        close_wait: 2,
        queued: 1,
        comm,
    };
    let busy_server = Server::start(Place::Named(&busy), spec(port));
    let quiet_server = Server::start(Place::Named(&quiet), spec(port + 1));
    settle(&busy);
    settle(&quiet);
    Some((busy, quiet, busy_server, quiet_server))
}

/// Quiet namespaces need no dump: with no budget, after their first full
/// dump every round proves their states unchanged (sockstat, listeners and
/// segment counters as at the dump), and they equal `ss -tan` there; a
/// namespace whose sockets changed is no longer proven, its states are
/// only kept, until a full dump (here the focus) proves them again.
#[test]
fn quiet_namespaces_are_proven_unchanged_and_equal_ss_until_a_socket_moves() {
    let Some((busy, quiet, mut busy_server, _quiet_server)) = served_pair("tiers-quiet", 7801)
    else {
        return;
    };
    let inode = |ns: &NamedNetns| std::fs::metadata(ns.path()).unwrap().ino();
    let mut all = AllNetns::open(|s| s, 0.0);
    let wait = std::time::Duration::from_secs(5);
    let round = |all: &mut AllNetns| {
        let r = all.collect_round(wait);
        (sample_of(&r, &busy).clone(), sample_of(&r, &quiet).clone())
    };
    let check_unchanged = |snap: &Snapshot, ns: &NamedNetns, what: &str| {
        let t = tiers(snap);
        assert_eq!(
            (t.states, t.states_age_ms, t.unchanged_namespaces),
            (StatesTier::Unchanged, 0, 1),
            "{what}"
        );
        assert_eq!(our_states(snap), ss_states_in(ns), "{what}: equals ss -tan");
    };
    let (b, q) = round(&mut all);
    assert_eq!(
        (tiers(&b).states, tiers(&q).states),
        (StatesTier::FullDump, StatesTier::FullDump)
    );
    for n in 1..4 {
        let (b, q) = round(&mut all);
        check_unchanged(&b, &busy, &format!("round {n}, busy"));
        check_unchanged(&q, &quiet, &format!("round {n}, quiet"));
        assert!(
            our_states(&b).contains_key("CLOSE-WAIT"),
            "{:?}",
            our_states(&b)
        );
    }
    let not_listen = |snap: &Snapshot| {
        let mut states = our_states(snap);
        states.remove("LISTEN");
        states
    };
    let before = not_listen(&round(&mut all).0);
    busy_server.kill();
    let (b, q) = round(&mut all);
    assert_eq!(
        tiers(&b).states,
        StatesTier::Kept,
        "the kill sent FINs and RSTs"
    );
    assert_eq!(not_listen(&b), before, "the kept states are the dump's");
    assert_ne!(
        our_states(&b),
        ss_states_in(&busy),
        "and they are no longer true"
    );
    check_unchanged(&q, &quiet, "the quiet one, meanwhile");
    all.needs(&Needs {
        focused: vec![inode(&busy)],
        alerting: Vec::new(),
    });
    let (b, _) = round(&mut all);
    assert_eq!(tiers(&b).states, StatesTier::FullDump);
    assert_eq!(
        our_states(&b),
        ss_states_in(&busy),
        "the focus dumps it again"
    );
    all.needs(&Needs::default());
    let (b, q) = round(&mut all);
    if tiers(&b).states == StatesTier::Unchanged {
        assert_eq!(our_states(&b), ss_states_in(&busy), "proven again");
    } else {
        assert_eq!(
            tiers(&b).states,
            StatesTier::Kept,
            "the closing handshakes still ran"
        );
    }
    check_unchanged(&q, &quiet, "the quiet one, at the end");
}

/// With a budget, a namespace proven unchanged on kept states is
/// collected "queues unless moved": the round in which its sockets move
/// dumps it there and then, so its states never go out disproved with the
/// age of an old dump (a 60 s refresh, as the `--namespaces 100` bench
/// showed: "states 51.0s old").
#[test]
fn a_proof_that_breaks_brings_a_full_dump_in_the_same_round() {
    let Some((busy, quiet, mut busy_server, _quiet_server)) = served_pair("tiers-moved", 7803)
    else {
        return;
    };
    let mut all = AllNetns::open(|s| s, 20.0);
    let wait = std::time::Duration::from_secs(5);
    let round = |all: &mut AllNetns| {
        let r = all.collect_round(wait);
        (sample_of(&r, &busy).clone(), sample_of(&r, &quiet).clone())
    };
    let states = |snap: &Snapshot| tiers(snap).states;
    let (b, q) = round(&mut all);
    assert_eq!(
        (states(&b), states(&q)),
        (StatesTier::FullDump, StatesTier::FullDump)
    );
    for n in 1..4 {
        let (b, q) = round(&mut all);
        assert_eq!(
            (states(&b), states(&q)),
            (StatesTier::Unchanged, StatesTier::Unchanged),
            "round {n}"
        );
    }
    busy_server.kill();
    settle(&busy);
    let (b, q) = round(&mut all);
    let t = tiers(&b);
    assert_eq!(
        (t.states, t.states_age_ms, t.kept_namespaces),
        (StatesTier::FullDump, 0, 0),
        "the kill moved its segment counters: dumped in this round"
    );
    assert_eq!(our_states(&b), ss_states_in(&busy), "and equal to ss -tan");
    assert!(t.states_cpu_us > 0, "the dump is charged to the budget");
    assert_eq!(
        states(&q),
        StatesTier::Unchanged,
        "the quiet one, meanwhile"
    );
    assert_eq!(our_states(&q), ss_states_in(&quiet));
}
