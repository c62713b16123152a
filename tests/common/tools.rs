//! What a test needs from outside the crate (a program such as `promtool`,
//! `tmux`, `nginx`, or the real root): present, or a visible skip on a developer's
//! machine, or a failure when `CI=true` (a check that silently skips in CI
//! is a check that cannot fail).

use std::path::PathBuf;

/// Whether the suite runs in CI (`CI=true`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Without the prerequisite: panic in CI, else print `skipped: <reason>`
/// (visible with `--nocapture` and in the test's output on failure) and
/// return false.
pub fn skip(reason: &str) -> bool {
    if in_ci() {
        panic!("{reason}; CI=true, so this test must run (install it in .ci/run)");
    }
    println!("skipped: {reason}");
    eprintln!("skipped: {reason}");
    false
}

/// The path of `program` on `PATH`, if any.
pub fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// True when `program` is on `PATH`; otherwise [`skip`]s, naming what it is for.
pub fn need(program: &str, what_for: &str) -> bool {
    find(program).is_some() || skip(&format!("{program} is not installed ({what_for})"))
}

/// True for the real root (see [`super::userns::real_root`]: the non-root
/// mode's uid 0 in a user namespace is not); otherwise [`skip`]s, naming what
/// needs root.
pub fn have_root(what_for: &str) -> bool {
    super::userns::real_root() || skip(&format!("needs root: {what_for}"))
}

/// True when this process is root in its user namespace: the real root, or
/// the non-root mode's user namespace (see [`super::userns`]), where
/// `unshare -m` and tmpfs mounts work; otherwise [`skip`]s, naming what
/// needs it and why the non-root mode could not be entered.
pub fn have_ns_root(what_for: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    let why = super::userns::failure().unwrap_or("not root");
    skip(&format!("needs root: {what_for} ({why})"))
}
