//! The aggregate of a round that kept the states of the one before.
//!
//! Over the full-dump budget (a million sockets), most rounds read only the
//! LISTEN sockets and share the last dump's states with the round before
//! ([`TcpList::shares_states_with`](super::TcpList::shares_states_with)).
//! Everything the aggregate derives from those states alone (totals by
//! state, each listener's attributed connections, the remote groups, which
//! socket belongs to which group) is then the previous aggregate's; only
//! the members, their queues, backlogs, drops and owners are new. A fresh
//! [`Aggregate::build`] would walk a million sockets to find that out.

use super::aggregate::{
    Aggregate, Owner, OwnerList, attach_processes, remote_owners, unix_processes, waited_in_queue,
};
use super::engine::share_unchanged;
use super::history::Frame;
use super::round::Round;
use super::snapshot::{Snapshot, TcpSocket, TcpState};

/// The aggregate of `snapshot`, equal to [`Aggregate::build`]'s, built
/// from `before` (the frame of the previous round of the same namespace)
/// when it can be: see [`reuse`].
pub fn build_after(snapshot: &Snapshot, before: Option<&Frame>) -> Aggregate {
    before
        .and_then(|b| reuse(snapshot, b))
        .unwrap_or_else(|| Aggregate::build(snapshot))
}

/// The aggregate of `snapshot` from `before`'s, when both share their kept
/// states, their own parts are LISTEN sockets only, the states hold none,
/// and the listeners are bound to the same addresses (members may come and
/// go); `None` otherwise. What depends on more than the states is made
/// again: the members, the owners of every listener and member, the wait
/// of queued connections (their `tcp_info` times grow between rounds), and
/// the remote groups' owners when the process table changed.
pub(crate) fn reuse(snapshot: &Snapshot, before: &Frame) -> Option<Aggregate> {
    let then = &before.snapshot;
    if !before.has_sockets() || !snapshot.tcp.shares_states_with(&then.tcp) {
        return None;
    }
    let (own, then_own) = (snapshot.tcp.parts().0, then.tcp.parts().0);
    let old = &before.agg;
    let listening = |s: &[TcpSocket]| s.iter().all(|s| s.state == TcpState::Listen);
    if !listening(own)
        || !listening(then_own)
        || old.totals[TcpState::Listen] != then_own.len() as u64
        || old.listeners.iter().any(|l| l.netns != 0)
    {
        return None;
    }

    let mut listeners = old.listeners.clone();
    for l in &mut listeners {
        l.members.clear();
        (l.accept_queue, l.backlog) = (0, 0);
    }
    let mut owners = OwnerList::with_capacity(snapshot.tcp.len());
    for sock in own {
        let idx = old.listener_index(0, sock.local.socket_addr())?;
        listeners[idx].add_member(sock);
        owners.push(Owner::Listening(idx as u32));
    }
    if listeners.iter().any(|l| l.members.is_empty()) {
        return None;
    }
    owners.extend_from(&old.owners, then_own.len()..old.owners.len())?;
    attach_processes(snapshot, &mut listeners);

    let shift = |i: u32| (i as usize + own.len() - then_own.len()) as u32;
    let conn_index: Vec<u32> = if own.len() == then_own.len() {
        old.conn_index.clone()
    } else {
        old.conn_index.iter().map(|&i| shift(i)).collect()
    };
    if snapshot.tcp_times != then.tcp_times {
        for (idx, l) in listeners.iter_mut().enumerate() {
            if l.queued == 0 {
                continue;
            }
            let range = old.conn_offsets[idx] as usize..old.conn_offsets[idx + 1] as usize;
            l.oldest_queued_ms = conn_index[range]
                .iter()
                .map(|&i| &snapshot.tcp[i as usize])
                .filter(|s| s.awaits_accept())
                .filter_map(|s| waited_in_queue(snapshot, s))
                .max();
        }
    }

    let mut remotes = old.remotes.clone();
    if snapshot.processes != then.processes {
        for r in &mut remotes {
            r.processes.clear();
        }
        if !snapshot.processes.sockets.is_empty() {
            remote_owners(snapshot, &owners, &mut remotes);
        }
    }

    let mut totals = old.totals;
    totals[TcpState::Listen] = own.len() as u64;
    Some(Aggregate {
        totals,
        listeners,
        remotes,
        owners,
        conn_offsets: old.conn_offsets.clone(),
        conn_index,
        unix_processes: unix_processes(snapshot),
    })
}

/// The last frame built for the namespace of a stream of one-namespace
/// rounds, so that the next one is built from it ([`build_after`]). The
/// dashboard's collection thread keeps one; [`Model`](super::Model) uses
/// its own history's newest frame instead.
#[derive(Debug, Default)]
pub struct LastFrame(Option<Frame>);

impl LastFrame {
    /// Builds each namespace's frame of `round`. A round of one namespace
    /// is built from the last one's frame, and its counters and tunables
    /// shared with it where equal; a round of several namespaces
    /// (`--all-netns`) is built afresh, and forgets the last frame (their
    /// frames are stripped as soon as they are kept, which a second holder
    /// would turn into a copy).
    pub fn frames(&mut self, round: Round) -> Round<Frame> {
        if round.all || round.parts.len() != 1 {
            self.0 = None;
            return round.aggregate();
        }
        let round = round.map(|snapshot| {
            let agg = build_after(&snapshot, self.0.as_ref());
            let mut frame = Frame::with_aggregate(snapshot, agg);
            share_unchanged(&mut frame, self.0.as_ref());
            frame
        });
        if let Some(frame) = round.parts.first().and_then(|p| p.sample.as_ref()) {
            self.0 = Some(frame.clone());
        }
        round
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::fixtures::{listen, process, snapshot, sock};
    use crate::model::{ProcessTable, SocketOwners, TcpList, TcpTimes};

    /// The kept states: connections of :80 (one still queued, inode 0, one
    /// CLOSE_WAIT unread), a TIME_WAIT of :81 and two outbound sockets.
    fn states() -> Arc<Vec<crate::model::TcpSocket>> {
        let mut queued = sock(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5000", 10);
        queued.inode = 0;
        let mut unread = sock(TcpState::CloseWait, "127.0.0.1:80", "127.0.0.1:5001", 11);
        unread.recv_q = 1;
        Arc::new(vec![
            queued,
            unread,
            sock(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5002", 12),
            sock(TcpState::TimeWait, "127.0.0.1:81", "127.0.0.1:5003", 13),
            sock(TcpState::Established, "127.0.0.1:6000", "10.0.0.9:443", 14),
            sock(TcpState::Established, "127.0.0.1:6001", "10.0.0.9:443", 15),
        ])
    }

    /// A round at second `s` with listeners `own` and `states`, the queued
    /// connection waiting `waited` ms, and `owners` of inodes.
    fn round(
        s: u32,
        own: Vec<crate::model::TcpSocket>,
        states: &Arc<Vec<crate::model::TcpSocket>>,
        waited: u32,
        owners: &[(u32, Vec<u32>)],
    ) -> Snapshot {
        let mut snap = snapshot(&format!("2026-12-01T00:00:{s:02}Z"), vec![]);
        snap.tcp = TcpList::with_shared(own, Arc::clone(states));
        snap.collector.sockets = snap.tcp.len() as u64;
        snap.tcp_times = vec![TcpTimes {
            cookie: 10,
            last_data_sent_ms: None,
            last_data_recv_ms: Some(waited),
            last_ack_recv_ms: Some(waited),
        }];
        snap.processes = ProcessTable {
            enabled: true,
            denied: 0,
            list: vec![process(100, "web"), process(200, "client")],
            sockets: owners.iter().cloned().collect::<SocketOwners>(),
        };
        snap
    }

    fn listeners(first_member_queue: u32) -> Vec<crate::model::TcpSocket> {
        vec![
            listen("127.0.0.1:80", first_member_queue, 8, 1),
            listen("127.0.0.1:81", 0, 8, 2),
        ]
    }

    #[test]
    fn a_round_keeping_the_states_gets_the_aggregate_a_fresh_build_gets() {
        let kept = states();
        let owners = vec![(1, vec![0]), (2, vec![0]), (14, vec![1]), (15, vec![1])];
        let first = Frame::new(round(0, listeners(0), &kept, 500, &owners));
        assert_eq!(first.agg.listeners[0].oldest_queued_ms, Some(500));

        // Queues moved, the queued connection waited longer, a reuseport
        // member joined :80 and an outbound socket changed hands.
        let mut own = listeners(3);
        own.insert(1, listen("127.0.0.1:80", 1, 8, 3));
        let moved = vec![
            (1, vec![0]),
            (2, vec![0]),
            (3, vec![0]),
            (14, vec![0]),
            (15, vec![1]),
        ];
        let second = round(1, own, &kept, 1500, &moved);
        let reused = reuse(&second, &first).expect("same states, same listener addresses");
        assert_eq!(reused, Aggregate::build(&second));
        let l80 = &reused.listeners[0];
        assert_eq!(
            (
                l80.members.len(),
                l80.accept_queue,
                l80.queued,
                l80.oldest_queued_ms
            ),
            (2, 4, 1, Some(1500))
        );
        assert_eq!(
            (reused.remotes[0].processes.clone(), reused.owners.len()),
            (vec![0, 1], 9)
        );
        assert_eq!(
            reused.listener_connections(0),
            [3, 4, 5],
            "indices past the new member"
        );

        // Nothing moved: the same again.
        let third = round(
            2,
            listeners(3).into_iter().take(2).collect(),
            &kept,
            1500,
            &owners,
        );
        let frame = Frame::with_aggregate(second, reused);
        assert_eq!(reuse(&third, &frame), Some(Aggregate::build(&third)));
    }

    #[test]
    fn new_states_or_a_new_listener_address_build_afresh() {
        let kept = states();
        let first = Frame::new(round(0, listeners(0), &kept, 500, &[]));
        let copy = Arc::new(kept.as_ref().clone());
        assert_eq!(
            reuse(&round(1, listeners(0), &copy, 500, &[]), &first),
            None
        );
        let mut more = listeners(0);
        more.push(listen("127.0.0.1:82", 0, 8, 4));
        let grown = round(1, more, &kept, 500, &[]);
        assert_eq!(reuse(&grown, &first), None);
        assert_eq!(build_after(&grown, Some(&first)), Aggregate::build(&grown));
        let fewer = round(
            1,
            listeners(0).into_iter().take(1).collect(),
            &kept,
            500,
            &[],
        );
        assert_eq!(reuse(&fewer, &first), None, ":81 closed");
    }

    #[test]
    fn the_last_frame_builds_the_next_and_shares_its_counters() {
        let kept = states();
        let mut last = LastFrame::default();
        let frame = |last: &mut LastFrame, s: u32, queue: u32| {
            let mut snap = round(s, listeners(queue), &kept, 500, &[]);
            snap.counters.insert("ListenDrops".to_owned(), 7);
            let round = last.frames(Round::one(snap));
            round
                .parts
                .into_iter()
                .next()
                .and_then(|p| p.sample)
                .unwrap()
        };
        let a = frame(&mut last, 0, 0);
        let b = frame(&mut last, 1, 2);
        assert_eq!(*b.agg, Aggregate::build(&b.snapshot));
        assert_eq!(b.agg.listeners[0].accept_queue, 2);
        assert!(a.snapshot.counters.same_copy(&b.snapshot.counters));
    }
}
