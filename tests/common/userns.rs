//! The non-root mode. A test binary started by an ordinary user moves
//! itself, before `main` and so before libtest starts a thread
//! (`CLONE_NEWUSER` needs a single-threaded process), into a user namespace
//! of its own in which it is root (uid and gid 0 map to the user), with a
//! mount and a network namespace that this user namespace owns. There each
//! test thread can make a private network namespace (`private_netns`),
//! destroy sockets in it and set its `net.*` sysctls, `ip netns add` works
//! on a private tmpfs over `/run/netns`, and `unshare -m` with tmpfs mounts
//! works. What needs the real root still fails (a device node, any file of
//! the host): those tests ask [`super::tools::have_root`]. Run by root,
//! nothing changes.

use std::io;
use std::path::Path;
use std::sync::OnceLock;

use nix::sched::CloneFlags;
use nix::unistd::{getegid, geteuid};

/// Why the non-root mode could not be entered (the user namespace), or
/// whether `/run/netns` could be covered; unset when run by the real root.
static ENTERED: OnceLock<Result<NamedNetns, String>> = OnceLock::new();

/// Whether `ip netns add` can work in the non-root mode.
#[derive(Clone, Copy, PartialEq)]
enum NamedNetns {
    /// A private tmpfs covers `/run/netns`.
    Private,
    /// The host has no `/run/netns` to cover, and creating it needs root.
    NoRunNetns,
}

// SAFETY: runs before main, single-threaded; it only makes system calls and
// writes three /proc files, using no std service that needs main to have run.
#[ctor::ctor(unsafe)]
fn enter_user_namespace() {
    if !real_root() {
        let _ = ENTERED.set(enter());
    }
}

fn enter() -> Result<NamedNetns, String> {
    let (uid, gid) = (geteuid(), getegid());
    nix::sched::unshare(
        CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWNET,
    )
    .map_err(|e| {
        format!(
            "not root, and unshare(CLONE_NEWUSER) failed ({e}); allow unprivileged user \
             namespaces (sysctl user.max_user_namespaces > 0, and on Ubuntu \
             kernel.apparmor_restrict_unprivileged_userns=0) or run the tests as root"
        )
    })?;
    let write = |file: &str, text: String| {
        std::fs::write(file, &text).map_err(|e| format!("writing {text:?} to {file}: {e}"))
    };
    write("/proc/self/setgroups", "deny".into())?;
    write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    write("/proc/self/gid_map", format!("0 {gid} 1"))?;
    super::try_set_lo_up().map_err(|e| format!("bringing lo up: {e}"))?;
    if !Path::new("/run/netns").is_dir() {
        return Ok(NamedNetns::NoRunNetns);
    }
    // SAFETY: mount with NUL-terminated strings; the mount namespace is ours.
    let rc = unsafe {
        libc::mount(
            c"sockscope-test".as_ptr(),
            c"/run/netns".as_ptr(),
            c"tmpfs".as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(format!(
            "mounting a private tmpfs on /run/netns: {}",
            io::Error::last_os_error()
        ));
    }
    Ok(NamedNetns::Private)
}

/// True for the real root: uid 0 in the initial user namespace (whose
/// `/proc/self/uid_map` maps all 2^32 ids onto themselves).
pub fn real_root() -> bool {
    geteuid().is_root()
        && std::fs::read_to_string("/proc/self/uid_map")
            .is_ok_and(|m| m.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"])
}

/// Why this process cannot make namespaces: `None` for the real root and
/// for a user namespace that was entered.
pub fn failure() -> Option<&'static str> {
    match ENTERED.get() {
        Some(Err(why)) => Some(why),
        _ => None,
    }
}

/// Why `ip netns add` cannot work here: `None` when it can.
pub fn named_netns_failure() -> Option<String> {
    match ENTERED.get() {
        None => None,
        Some(Ok(NamedNetns::Private)) => None,
        Some(Ok(NamedNetns::NoRunNetns)) => Some(
            "needs root: ip netns add (this host has no /run/netns for the non-root mode to \
             cover with a private tmpfs; create it once with `sudo mkdir /run/netns`, or run \
             the tests as root)"
                .into(),
        ),
        Some(Err(why)) => Some(format!("needs root: ip netns add ({why})")),
    }
}
