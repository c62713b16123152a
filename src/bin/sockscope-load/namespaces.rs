//! `--namespaces N`: extra network namespaces with a few listeners and
//! connections each, the shape of a node running N small pods. Each
//! namespace is created by, and lives as long as, one holder process
//! (`unshare(CLONE_NEWNET)` in that process, no `/run/netns` name), so it
//! disappears with the process however the generator ends: nothing is left
//! to clean up. `sockscope --all-netns` finds them through `/proc/<pid>/ns/net`.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};

use anyhow::{Context, bail};

/// Listeners in each extra namespace (`127.0.0.1:8000`, `:8001`, …).
pub const LISTENERS: u16 = 2;
/// Connections to each of those listeners: two ESTABLISHED sockets each.
pub const CONNECTIONS_PER_LISTENER: u32 = 3;

/// First port of a namespace's listeners.
const FIRST_PORT: u16 = 8000;

/// Runs one namespace holder: moves into a new network namespace, brings
/// its `lo` up, binds [`LISTENERS`] listeners with
/// [`CONNECTIONS_PER_LISTENER`] connections each, says `ready`, and holds
/// them until killed.
pub fn run() -> anyhow::Result<()> {
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET)
        .context("cannot create a network namespace (unshare CLONE_NEWNET needs CAP_SYS_ADMIN)")?;
    loopback_up()?;
    let mut listeners = Vec::new();
    let mut held = Vec::new();
    for i in 0..LISTENERS {
        let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, FIRST_PORT + i);
        let listener =
            TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
        for _ in 0..CONNECTIONS_PER_LISTENER {
            let client =
                TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
            let (server, _) = listener.accept().context("accept")?;
            held.push((client, server));
        }
        listeners.push(listener);
    }
    super::worker::hold(&format!("ready {}", held.len()))
}

/// Sets `IFF_UP` on `lo` (a new namespace's only interface starts down).
fn loopback_up() -> anyhow::Result<()> {
    // SAFETY: a datagram socket for interface ioctls; `req` is a valid,
    // zeroed ifreq naming "lo", and the descriptor is closed before return.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            bail!("socket for lo: {}", std::io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo") {
            *dst = *src as libc::c_char;
        }
        let mut result = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req);
        if result == 0 {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            result = libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
        }
        let err = std::io::Error::last_os_error();
        libc::close(fd);
        if result != 0 {
            bail!("cannot bring lo up in the new namespace: {err}");
        }
    }
    Ok(())
}
