//! The clients of a UNIX listener, pending and accepted, with their process.

mod common;

use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};

use sockscope::collector::process::ProcessCache;
use sockscope::collector::{LiveSource, Source};

#[test]
fn pending_and_accepted_clients_with_their_process() {
    if !common::private_netns() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("peers.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let accepted_client = UnixStream::connect(&path).unwrap();
    let (_server_side, _) = listener.accept().unwrap();
    let pending_client = UnixStream::connect(&path).unwrap();

    let mut source = LiveSource::open()
        .unwrap()
        .with_processes(ProcessCache::shared());
    let snap = source.collect().unwrap();
    let l = snap
        .unix_listeners
        .iter()
        .find(|u| u.path == path.to_string_lossy())
        .expect("our listener");
    assert_eq!(l.accept_queue, 1);
    let mut peers: Vec<(bool, u32)> = snap
        .unix_peers
        .iter()
        .filter(|p| p.listener == l.inode)
        .map(|p| (p.server == 0, p.peer))
        .collect();
    peers.sort_unstable();
    assert_eq!(
        peers,
        vec![
            (false, common::socket_inode(accepted_client.as_raw_fd())),
            (true, common::socket_inode(pending_client.as_raw_fd())),
        ]
    );
    for (_, peer) in peers {
        let owners = snap.processes.of_inode(peer);
        assert_eq!(owners.len(), 1);
        assert_eq!(
            snap.processes.get(owners[0]).unwrap().pid,
            std::process::id()
        );
    }
}
