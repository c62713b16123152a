//! `sockscope serve`: the Prometheus exporter.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::{ServeArgs, TargetArgs};
use crate::config::Config;
use crate::export::prometheus::Limits;
use crate::serve::{ConnLimits, Exporter, ScrapeCache, router, serve};

/// Binds `args.listen`, saying in one line why when it cannot.
fn bind(args: &ServeArgs) -> anyhow::Result<std::net::TcpListener> {
    let addr = args.listen;
    let listener = std::net::TcpListener::bind(addr).map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "cannot listen on {addr}: the port is already in use (another exporter running?); choose another with --listen"
        ),
        io::ErrorKind::AddrNotAvailable => anyhow::anyhow!(
            "cannot listen on {addr}: no local interface has that address; use 127.0.0.1 or an address of this host"
        ),
        io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "cannot listen on {addr}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
        ),
        _ => anyhow::anyhow!("cannot listen on {addr}: {e}"),
    })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

async fn shutdown() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Refuses `--max-listeners 0` (of `serve` and `snapshot --format prometheus`).
pub fn check_max_listeners(max_listeners: usize) -> anyhow::Result<()> {
    anyhow::ensure!(
        max_listeners > 0,
        "--max-listeners 0 would hide every listener; give at least 1"
    );
    Ok(())
}

/// Runs the subcommand until SIGINT or SIGTERM, collecting the namespace(s)
/// `target` picks, with the alert thresholds of `config`.
pub fn run(args: &ServeArgs, target: &TargetArgs, config: &Config) -> anyhow::Result<()> {
    check_max_listeners(args.max_listeners)?;
    if !(1..=10_000).contains(&args.max_connections) {
        anyhow::bail!(
            "--max-connections {} is out of range; use 1 to 10000",
            args.max_connections
        );
    }
    let idle = args.idle_timeout;
    if idle < Duration::from_millis(100) || idle > Duration::from_secs(30) {
        anyhow::bail!(
            "--idle-timeout {} is out of range; use 100ms to 30s",
            humantime::format_duration(idle)
        );
    }
    let limits = ConnLimits {
        max_connections: args.max_connections,
        idle_timeout: idle,
    };
    let listener = bind(args)?;
    let (worker, netns) = target.worker()?;
    let app = Arc::new(Exporter {
        cache: ScrapeCache::new(worker, netns, args.cache, config.alerts.clone()),
        limits: Limits {
            max_listeners: args.max_listeners,
        },
    });
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        eprintln!(
            "sockscope: note: {local} is not loopback; the metrics are reachable from the network"
        );
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        eprintln!("sockscope: serving http://{local}/metrics");
        serve(listener, router(app), limits, shutdown()).await;
        anyhow::Ok(())
    })?;
    Ok(())
}
