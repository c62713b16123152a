use super::fixtures::{listen, snapshot, sock};
use super::{Aggregate, Owner, TcpState::*};

const T0: &str = "2026-11-24T00:00:00Z";

/// (case, sockets, expected listener local of socket index 0 (None: a remote))
#[test]
fn attribution_table() {
    let cases: Vec<(&str, Vec<_>, Option<&str>)> = vec![
        (
            "exact address wins over the wildcard",
            vec![
                sock(Established, "127.0.0.1:80", "127.0.0.1:5000", 1),
                listen("0.0.0.0:80", 0, 128, 10),
                listen("127.0.0.1:80", 0, 128, 11),
            ],
            Some("127.0.0.1:80"),
        ),
        (
            "IPv4 wildcard covers another loopback address",
            vec![
                sock(Established, "127.0.0.2:80", "127.0.0.1:5000", 1),
                listen("0.0.0.0:80", 0, 128, 10),
            ],
            Some("0.0.0.0:80"),
        ),
        (
            "IPv6 wildcard covers IPv4-mapped sockets",
            vec![
                sock(
                    Established,
                    "[::ffff:127.0.0.1]:80",
                    "[::ffff:127.0.0.1]:5000",
                    1,
                ),
                listen("[::]:80", 0, 128, 10),
            ],
            Some("[::]:80"),
        ),
        (
            "IPv4 wildcard does not cover IPv6 sockets",
            vec![
                sock(Established, "[::1]:80", "[::1]:5000", 1),
                listen("0.0.0.0:80", 0, 128, 10),
            ],
            None,
        ),
        (
            "a specific address does not cover another one",
            vec![
                sock(Established, "127.0.0.2:80", "127.0.0.1:5000", 1),
                listen("127.0.0.1:80", 0, 128, 10),
            ],
            None,
        ),
        (
            "the client side of a loopback connection is a remote",
            vec![
                sock(Established, "127.0.0.1:5000", "127.0.0.1:80", 1),
                listen("127.0.0.1:80", 0, 128, 10),
            ],
            None,
        ),
        (
            "request sockets belong to their listener",
            vec![
                sock(SynRecv, "[::1]:443", "[::1]:6000", 0),
                listen("[::1]:443", 0, 128, 10),
            ],
            Some("[::1]:443"),
        ),
    ];
    for (name, tcp, want) in cases {
        let agg = Aggregate::build(&snapshot(T0, tcp));
        let got = match agg.owners.get(0).unwrap() {
            Owner::Listener(i) => Some(agg.listeners[i as usize].local.to_string()),
            Owner::Remote(_) => None,
            Owner::Listening(_) => panic!("{name}: socket 0 is not a LISTEN socket"),
        };
        assert_eq!(got.as_deref(), want, "{name}");
    }
}

#[test]
fn reuseport_members_sum_their_queues() {
    let agg = Aggregate::build(&snapshot(
        T0,
        vec![
            listen("0.0.0.0:8080", 3, 16, 1),
            listen("0.0.0.0:8080", 5, 16, 2),
            listen("0.0.0.0:8081", 1, 4, 3),
            sock(CloseWait, "10.0.0.1:8080", "10.0.0.9:4000", 4),
        ],
    ));
    assert_eq!(agg.listeners.len(), 2);
    let l = agg.listener("0.0.0.0:8080".parse().unwrap()).unwrap();
    assert_eq!(l.members.len(), 2);
    assert_eq!((l.accept_queue, l.backlog), (8, 32));
    assert_eq!(l.states[CloseWait], 1);
    assert_eq!(l.sockets(), 1);
    assert_eq!(agg.totals[Listen], 3);
    assert_eq!(agg.totals.total(), 4);
}

#[test]
fn remotes_group_by_local_address_and_destination() {
    let agg = Aggregate::build(&snapshot(
        T0,
        vec![
            sock(TimeWait, "10.0.0.1:40000", "10.0.0.5:5432", 1),
            sock(TimeWait, "10.0.0.1:40001", "10.0.0.5:5432", 2),
            sock(Established, "10.0.0.1:40002", "10.0.0.5:5432", 3),
            sock(Established, "10.0.0.2:40000", "10.0.0.5:5432", 4),
            sock(SynSent, "10.0.0.1:40003", "10.0.0.6:80", 5),
        ],
    ));
    assert_eq!(agg.remotes.len(), 3);
    let first = &agg.remotes[0];
    assert_eq!(first.remote.to_string(), "10.0.0.5:5432");
    assert_eq!(first.local_ip.to_string(), "10.0.0.1");
    assert_eq!((first.states[TimeWait], first.states[Established]), (2, 1));
    assert_eq!(first.local_ports, 3);
    assert_eq!(agg.owners.get(4), Some(Owner::Remote(2)));
}

#[test]
fn listeners_sort_by_port_and_owners_follow() {
    let agg = Aggregate::build(&snapshot(
        T0,
        vec![
            listen("127.0.0.1:9000", 0, 1, 1),
            listen("[::]:22", 0, 1, 2),
            listen("0.0.0.0:22", 0, 1, 3),
            sock(Established, "127.0.0.1:9000", "127.0.0.1:1", 4),
        ],
    ));
    let order: Vec<String> = agg.listeners.iter().map(|l| l.local.to_string()).collect();
    assert_eq!(order, ["0.0.0.0:22", "[::]:22", "127.0.0.1:9000"]);
    assert_eq!(agg.owners.get(0), Some(Owner::Listening(2)));
    assert_eq!(agg.owners.get(3), Some(Owner::Listener(2)));
    assert_eq!(agg.connections_of(2).collect::<Vec<_>>(), [3]);
}

#[test]
fn connection_index_lists_each_listeners_sockets_in_dump_order() {
    let snap = snapshot(
        T0,
        vec![
            listen("0.0.0.0:80", 0, 1, 1),
            sock(Established, "10.0.0.1:80", "10.0.0.9:1", 2),
            listen("0.0.0.0:22", 0, 1, 3),
            sock(TimeWait, "10.0.0.1:22", "10.0.0.9:2", 4),
            sock(Established, "10.0.0.1:40000", "10.0.0.5:5432", 5),
            sock(CloseWait, "10.0.0.1:80", "10.0.0.9:3", 6),
            listen("0.0.0.0:8080", 0, 1, 7),
        ],
    );
    let agg = Aggregate::build(&snap);
    let of = |n: usize| agg.connections_of(n).collect::<Vec<_>>();
    // Sorted by port: :22, :80, :8080 (no connections).
    assert_eq!((of(0), of(1), of(2)), (vec![3], vec![1, 5], vec![]));
    assert_eq!(agg.conn_offsets, [0, 1, 3, 3]);
    assert_eq!(agg.listener_connections(1), [1, 5]);
    assert!(
        agg.listener_connections(3).is_empty(),
        "past the last listener"
    );
}

#[test]
fn listener_lookup_finds_each_address_and_only_those() {
    let agg = Aggregate::build(&snapshot(
        T0,
        vec![
            listen("[::]:80", 0, 1, 1),
            listen("127.0.0.1:80", 0, 1, 2),
            listen("0.0.0.0:80", 0, 1, 3),
            listen("0.0.0.0:22", 0, 1, 4),
            listen("[::1]:9000", 0, 1, 5),
        ],
    ));
    for l in &agg.listeners {
        assert_eq!(agg.listener(l.local).map(|x| x.local), Some(l.local));
    }
    assert!(agg.listener("10.0.0.1:80".parse().unwrap()).is_none());
    assert!(agg.listener("[::]:22".parse().unwrap()).is_none());
    assert!(agg.listener("0.0.0.0:9001".parse().unwrap()).is_none());
}

#[test]
fn a_remote_is_found_by_key_and_lists_exactly_its_sockets() {
    let snap = snapshot(
        T0,
        vec![
            listen("0.0.0.0:80", 0, 128, 1),
            sock(Established, "10.0.0.1:80", "10.0.0.9:5000", 2),
            sock(CloseWait, "10.0.0.1:40000", "10.0.0.5:5432", 3),
            sock(TimeWait, "10.0.0.1:40001", "10.0.0.5:5432", 4),
            sock(Established, "10.0.0.2:40002", "10.0.0.5:5432", 5),
            sock(Established, "10.0.0.1:40003", "10.0.0.6:443", 6),
        ],
    );
    let agg = Aggregate::build(&snap);
    let db = agg
        .remotes
        .iter()
        .find(|r| r.remote.to_string() == "10.0.0.5:5432" && r.local_ip.to_string() == "10.0.0.1")
        .unwrap();
    let key = snap.remote_key(db);
    let idx = agg.find_remote(&snap, &key).unwrap();
    assert_eq!(agg.remote_connections(idx).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(
        snap.remote_target(&key),
        super::Target::remote(&agg.remotes[idx]),
        "the key's alert target is the remote's"
    );
    let other = super::RemoteKey {
        netns: "elsewhere".into(),
        ..key
    };
    assert_eq!(agg.find_remote(&snap, &other), None);
}
