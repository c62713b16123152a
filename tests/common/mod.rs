//! Shared helpers of the integration tests: a private network namespace per
//! test thread (also for a non-root user, see [`userns`]), and real sockets
//! on its loopback.
#![allow(dead_code)]

pub mod netns;
pub mod serve;
pub mod skmem;
pub mod tmux;
pub mod tools;
pub mod userns;

use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use sockscope::collector::{LiveSource, Source};
use sockscope::model::{Aggregate, Snapshot};

/// Moves the calling thread into a new, empty network namespace with `lo`
/// up, and returns true. Sockets, collectors and child processes created
/// afterwards by this thread live there; the namespace vanishes with its
/// last user, so nothing needs cleaning up, even when the test fails. Needs
/// root, or the non-root mode's user namespace ([`userns`]); without either
/// it [`tools::skip`]s and returns false, and the test returns at once.
#[must_use = "the test must return at once when there is no private namespace"]
pub fn private_netns() -> bool {
    // SAFETY: unshare only changes the calling thread's namespace membership.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        let err = std::io::Error::last_os_error();
        match userns::failure() {
            Some(why) => {
                return tools::skip(&format!("needs root: a private network namespace ({why})"));
            }
            None => panic!("cannot create a private network namespace: {err}"),
        }
    }
    try_set_lo_up().expect("bring lo up");
    true
}

/// Sets `lo` of the calling thread's network namespace up.
fn try_set_lo_up() -> std::io::Result<()> {
    let sock = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
    // SAFETY: ifreq is plain old data; we pass a valid pointer to a zeroed struct.
    unsafe {
        let mut req: libc::ifreq = std::mem::zeroed();
        for (d, s) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *d = *s as libc::c_char;
        }
        if libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        if libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A TCP listener on `addr` with `backlog`, optionally with SO_REUSEPORT.
pub fn listener(addr: &str, backlog: i32, reuseport: bool) -> Socket {
    let addr: SocketAddr = addr.parse().unwrap();
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).unwrap();
    sock.set_reuse_address(true).unwrap();
    if reuseport {
        sock.set_reuse_port(true).unwrap();
    }
    if addr.is_ipv6() {
        sock.set_only_v6(false).unwrap();
    }
    sock.bind(&addr.into()).unwrap();
    sock.listen(backlog).unwrap();
    sock
}

/// Sets TCP_DEFER_ACCEPT: the server keeps a handshake in SYN_RECV until
/// data arrives (or `secs` pass).
pub fn defer_accept(sock: &Socket, secs: i32) {
    // SAFETY: setsockopt with a valid int option value.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_DEFER_ACCEPT,
            &secs as *const i32 as *const libc::c_void,
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
    assert_eq!(
        rc,
        0,
        "TCP_DEFER_ACCEPT: {}",
        std::io::Error::last_os_error()
    );
}

/// Connects to `addr` from an optional local `from` address.
pub fn connect(addr: &str, from: Option<&str>) -> TcpStream {
    let addr: SocketAddr = addr.parse().unwrap();
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).unwrap();
    if let Some(from) = from {
        let from: SocketAddr = from.parse().unwrap();
        sock.bind(&from.into()).unwrap();
    }
    sock.connect_timeout(&addr.into(), Duration::from_secs(5))
        .unwrap();
    sock.into()
}

/// Starts a non-blocking connect to `addr` and returns without waiting.
pub fn connect_nowait(addr: &str) -> Socket {
    let addr: SocketAddr = addr.parse().unwrap();
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).unwrap();
    sock.set_nonblocking(true).unwrap();
    let _ = sock.connect(&addr.into());
    sock
}

/// Collects one snapshot in this thread's namespace.
pub fn collect() -> (Snapshot, Aggregate) {
    let snap = LiveSource::open()
        .expect("open collector")
        .collect()
        .expect("collect");
    let agg = Aggregate::build(&snap);
    (snap, agg)
}

/// Collects until `ready` holds (state changes on loopback are quick but
/// asynchronous), then returns that snapshot. Panics with `what` after 10 s.
pub fn collect_until(
    what: &str,
    ready: impl Fn(&Snapshot, &Aggregate) -> bool,
) -> (Snapshot, Aggregate) {
    let mut source = LiveSource::open().expect("open collector");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snap = source.collect().expect("collect");
        let agg = Aggregate::build(&snap);
        if ready(&snap, &agg) {
            return (snap, agg);
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}; last aggregate: {agg:#?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `ss` with `args` in this thread's namespace and returns its output,
/// or `None` when `ss` is not installed.
pub fn ss(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("ss").args(args).output().ok()?;
    assert!(out.status.success(), "ss {args:?} failed: {out:?}");
    Some(String::from_utf8(out.stdout).unwrap())
}

/// The inode of the socket behind our descriptor `fd` (`socket:[N]`).
pub fn socket_inode(fd: i32) -> u32 {
    let link = std::fs::read_link(format!("/proc/self/fd/{fd}")).unwrap();
    let link = link.to_string_lossy();
    link.strip_prefix("socket:[")
        .and_then(|l| l.strip_suffix(']'))
        .unwrap()
        .parse()
        .unwrap()
}
