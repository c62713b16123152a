//! `sockscope-load`: the benchmark's load generator. Inside a private network
//! namespace it opens a fixed number of ESTABLISHED loopback connections,
//! spread over worker processes because of the per-process fd limit, and
//! keeps a fixed number of TIME_WAIT sockets alive by replacing each batch
//! just before the kernel's 60 s TIME_WAIT timer reaps it. With
//! `--close-wait N`, N of those connections are half-closed by their client
//! (`shutdown(SHUT_WR)`): the server end stays in CLOSE_WAIT, the client end
//! in FIN_WAIT2, for as long as the load runs.
//!
//! With `--namespaces N` it also creates N extra network namespaces, each
//! with a few listeners and connections (see `namespaces.rs`).
//!
//! It prints one `ready …` line on standard output when the load is in
//! place, then runs until SIGINT or SIGTERM. Workers are killed with it
//! (`PR_SET_PDEATHSIG`), however it ends.

mod namespaces;
mod netns;
mod timewait;
mod worker;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddrV4;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

/// Creates socket load in the current (private) network namespace.
#[derive(Debug, Parser)]
#[command(name = "sockscope-load", version)]
struct Cli {
    /// ESTABLISHED sockets to hold (both ends of loopback connections, so even).
    #[arg(long, default_value_t = 50_000)]
    established: u32,
    /// TIME_WAIT sockets to keep alive.
    #[arg(long, default_value_t = 50_000)]
    time_wait: u32,
    /// Connections (of the ESTABLISHED ones) whose server end is left in
    /// CLOSE_WAIT, their client end in FIN_WAIT2.
    #[arg(long, default_value_t = 0)]
    close_wait: u32,
    /// File descriptors one worker process may hold (at most the hard RLIMIT_NOFILE).
    #[arg(long, default_value_t = 16_000)]
    fds_per_process: u32,
    /// Extra network namespaces to create, each with 2 listeners and 3
    /// loopback connections to each (12 ESTABLISHED sockets), held by one
    /// process apiece and gone when the generator ends.
    #[arg(long, default_value_t = 0)]
    namespaces: u32,
    /// Internal: run as a worker holding this many connections.
    #[command(subcommand)]
    worker: Option<Worker>,
}

#[derive(Debug, Subcommand)]
enum Worker {
    /// Holds `connections` loopback connections to a listener on `listen`.
    #[command(hide = true)]
    Worker {
        /// The worker's listening address.
        #[arg(long)]
        listen: SocketAddrV4,
        /// Connections to open and hold.
        #[arg(long)]
        connections: u32,
        /// Of those, connections the client half-closes.
        #[arg(long, default_value_t = 0)]
        close_wait: u32,
    },
    /// Creates and holds one extra network namespace with its sockets.
    #[command(hide = true)]
    Namespace,
}

/// Set by SIGINT/SIGTERM: the main loop winds down and kills its workers.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.worker {
        Some(Worker::Worker {
            listen,
            connections,
            close_wait,
        }) => worker::run(listen, connections, close_wait),
        Some(Worker::Namespace) => namespaces::run(),
        None => run(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sockscope-load: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    if !cli.established.is_multiple_of(2) {
        bail!(
            "--established {} is odd; each loopback connection is two ESTABLISHED sockets, give an even number",
            cli.established
        );
    }
    if cli.close_wait > cli.established / 2 {
        bail!(
            "--close-wait {} exceeds the {} connections of --established {}; give at most half of --established",
            cli.close_wait,
            cli.established / 2,
            cli.established
        );
    }
    netns::refuse_shared_namespace()?;
    let hard = worker::raise_fd_limit(u64::MAX)?;
    if u64::from(cli.fds_per_process) > hard || cli.fds_per_process < 128 {
        bail!(
            "--fds-per-process {} must be between 128 and the hard RLIMIT_NOFILE ({hard})",
            cli.fds_per_process
        );
    }
    netns::prepare_sysctls(cli.time_wait)?;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }

    let connections = cli.established / 2;
    let per_worker = (cli.fds_per_process - 64) / 2;
    let mut workers = worker::Pool::default();
    let (mut left, mut cw_left) = (connections, cli.close_wait);
    while left > 0 {
        let n = left.min(per_worker);
        let cw = cw_left.min(n);
        workers.spawn(n, cw)?;
        left -= n;
        cw_left -= cw;
    }
    for _ in 0..cli.namespaces {
        workers.spawn_namespace()?;
    }
    workers.wait_ready()?;

    let mut tw = timewait::Keeper::new(cli.time_wait)?;
    tw.fill(&STOP)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "ready established={} time_wait={} close_wait={} listeners={} workers={} namespaces={} namespace_listeners={} namespace_established={} pid={}",
        cli.established - 2 * cli.close_wait,
        cli.time_wait,
        cli.close_wait,
        workers.workers() + tw.listeners(),
        workers.workers(),
        cli.namespaces,
        namespaces::LISTENERS,
        u32::from(namespaces::LISTENERS) * namespaces::CONNECTIONS_PER_LISTENER * 2,
        std::process::id()
    )?;
    out.flush()?;
    drop(out);

    while !STOP.load(Ordering::Relaxed) {
        tw.refresh(&STOP)?;
        workers.check_alive()?;
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Reads the first line a child writes, failing with what it said on stderr.
fn read_ready(child: &mut std::process::Child, what: &str) -> anyhow::Result<String> {
    let stdout = child.stdout.take().context("worker stdout is piped")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    if !line.starts_with("ready") {
        let status = child.wait()?;
        bail!("{what} exited ({status}) before it was ready");
    }
    Ok(line)
}
