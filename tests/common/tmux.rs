//! A tmux server for end-to-end tests of the real binary in a real
//! terminal: started from the calling thread, so what it runs lives in that
//! thread's network namespace.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A tmux server on a private socket, killed on drop (also when the test fails).
pub struct Tmux {
    /// The server's socket (`-S`): a path of its own rather than a name
    /// under `/tmp/tmux-UID` (`-L`), which in the non-root mode would be
    /// `/tmp/tmux-0`, root's directory.
    socket: std::path::PathBuf,
}

impl Tmux {
    /// Starts a server with one 160x48 window running `sh`, from the calling
    /// thread, so everything it runs lives in this thread's network namespace;
    /// `None` after a visible skip when tmux is not installed (a failure
    /// under `CI=true`).
    pub fn start() -> Option<Tmux> {
        if !super::tools::need("tmux", "the end-to-end terminal tests") {
            return None;
        }
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = std::env::temp_dir().join(format!(
            "sockscope-test-{}-{}.tmux",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let tmux = Tmux { socket };
        let out = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "48",
            "sh",
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        Some(tmux)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux is installed (.ci/run installs it)")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "0"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The pane once it is not being drawn: two captures 30 ms apart agree
    /// (a capture can otherwise catch a redraw half done).
    pub fn screen(&self) -> String {
        let mut last = self.capture();
        loop {
            std::thread::sleep(Duration::from_millis(30));
            let now = self.capture();
            if now == last {
                return now;
            }
            last = now;
        }
    }

    /// Waits (up to 20 s) until the screen satisfies `ready`, and returns it.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "0", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
