# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sockscope_global_optspecs
    string join \n netns= netns-path= pid= all-netns no-processes full-dump-budget= interval= read-only history= export-dir= log-file= fire-after= resolve-after= alert-window= near-full-ratio= near-full-for= close-wait-min-age= close-wait-min-count= port-warn-ratio= disable-rule= config= h/help V/version
end

function __fish_sockscope_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sockscope_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sockscope_using_subcommand
    set -l cmd (__fish_sockscope_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sockscope -n "__fish_sockscope_needs_command" -l netns -d 'Watch the network namespace NAME under /run/netns (see `ip netns list`), or the one labelled NAME (`k8s:shop/cart-7d9f`, `docker:web-1`, a container id)' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l netns-path -d 'Watch the network namespace of an nsfs file (e.g. /proc/<pid>/ns/net)' -r -F
complete -c sockscope -n "__fish_sockscope_needs_command" -l pid -d 'Watch the network namespace of process PID (e.g. a container\'s main process)' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l full-dump-budget -d 'Share of one core, in percent, spent on full-state dumps; every interval still reads the queues (LISTEN sockets, sockstat, counters) and the focused namespace\'s states. 0 dumps states only there and in new namespaces' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l interval -d 'Time between collections (`250ms`, `1s`, `2s`; default 1s)' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l history -d 'How far back history is kept for time travel (`10m`, `1h`; default 10m)' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l export-dir -d 'Where `e` writes snapshot files (default: the current directory)' -r -F
complete -c sockscope -n "__fish_sockscope_needs_command" -l log-file -d 'Log file for diagnostics (default: $XDG_STATE_HOME/sockscope/sockscope.log)' -r -F
complete -c sockscope -n "__fish_sockscope_needs_command" -l fire-after -d 'Samples a condition must hold before its alert fires [alerts.fire_after]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l resolve-after -d 'Clear samples before an alert resolves [alerts.resolve_after]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l alert-window -d 'Look-back for counter rises and growth rates, e.g. `1m` [alerts.window]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l near-full-ratio -d 'Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l near-full-for -d 'How long near full before it alerts [alerts.accept_queue.near_full_for]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l close-wait-min-age -d 'Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l close-wait-min-count -d 'Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l port-warn-ratio -d 'Share of ip_local_port_range in use toward one destination that warns [alerts.ephemeral_ports.warn_ratio]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l disable-rule -d 'Rule id not to evaluate; repeatable [alerts.disable]' -r
complete -c sockscope -n "__fish_sockscope_needs_command" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_needs_command" -l all-netns -d 'Watch every network namespace of the host at once'
complete -c sockscope -n "__fish_sockscope_needs_command" -l no-processes -d 'Do not look up owning processes: skips the scan of /proc/<pid>/fd (like `ss` without `-p`); process columns and fields stay empty'
complete -c sockscope -n "__fish_sockscope_needs_command" -l read-only -d 'Never destroy sockets (the destroy keys, Ctrl-K, Delete and K, refuse)'
complete -c sockscope -n "__fish_sockscope_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockscope -n "__fish_sockscope_needs_command" -s V -l version -d 'Print version'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "snapshot" -d 'Print one collection of the current network namespace and exit, or with --watch, sample for a while and report the alerts that fired'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "top" -d 'Open the live dashboard (the default)'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "serve" -d 'Serve Prometheus metrics over HTTP, collecting on each scrape'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "record" -d 'Append a sample to a recording file every interval'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "replay" -d 'Open the dashboard on a recording'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "config" -d 'Show the effective configuration (defaults, config file, flags)'
complete -c sockscope -n "__fish_sockscope_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l format -d 'Output format' -r -f -a "text\t'A grouped human table, listeners first'
json\t'The `sockscope.snapshot.v1` JSON document'
csv\t'One row per TCP listener with every figure of the JSON listener object'
prometheus\t'The Prometheus text exposition format (for node_exporter\'s textfile collector)'"
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -s o -l output -d 'Write to this file instead of standard output' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l from -d 'Print a sample of this recording instead of collecting' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l at -d 'With --from: the sample taken at or last before TIME: RFC 3339 (2026-11-24T19:08:45Z), a time of day in UTC (19:08:45) or a time back from the last sample (-5m) [default: the last sample]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l max-listeners -d 'With --format prometheus: TCP listeners with series of their own; the rest are summed under local="other"' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l watch -d 'Sample for this long (e.g. `10s`) and report the alerts that fired' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l interval -d 'Time between samples with --watch [default: dashboard.interval, 1s]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l fail-on -d 'Exit with status 3 (worst alert warning) or 4 (critical) when an alert of this severity or worse is reported, after printing' -r -f -a "warning\t'Warning or critical alerts'
critical\t'Critical alerts only'"
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l netns -d 'Watch the network namespace NAME under /run/netns (see `ip netns list`), or the one labelled NAME (`k8s:shop/cart-7d9f`, `docker:web-1`, a container id)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l netns-path -d 'Watch the network namespace of an nsfs file (e.g. /proc/<pid>/ns/net)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l pid -d 'Watch the network namespace of process PID (e.g. a container\'s main process)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l full-dump-budget -d 'Share of one core, in percent, spent on full-state dumps; every interval still reads the queues (LISTEN sockets, sockstat, counters) and the focused namespace\'s states. 0 dumps states only there and in new namespaces' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l fire-after -d 'Samples a condition must hold before its alert fires [alerts.fire_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l resolve-after -d 'Clear samples before an alert resolves [alerts.resolve_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l alert-window -d 'Look-back for counter rises and growth rates, e.g. `1m` [alerts.window]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l near-full-ratio -d 'Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l near-full-for -d 'How long near full before it alerts [alerts.accept_queue.near_full_for]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l close-wait-min-age -d 'Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l close-wait-min-count -d 'Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l port-warn-ratio -d 'Share of ip_local_port_range in use toward one destination that warns [alerts.ephemeral_ports.warn_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l disable-rule -d 'Rule id not to evaluate; repeatable [alerts.disable]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l sockets -d 'Add every TCP socket: a SOCKETS section in `ss -tan`\'s columns to the text report, `sockets[]` to the JSON document (not with csv or prometheus)'
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l all-netns -d 'Watch every network namespace of the host at once'
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -l no-processes -d 'Do not look up owning processes: skips the scan of /proc/<pid>/fd (like `ss` without `-p`); process columns and fields stay empty'
complete -c sockscope -n "__fish_sockscope_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l netns -d 'Watch the network namespace NAME under /run/netns (see `ip netns list`), or the one labelled NAME (`k8s:shop/cart-7d9f`, `docker:web-1`, a container id)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l netns-path -d 'Watch the network namespace of an nsfs file (e.g. /proc/<pid>/ns/net)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l pid -d 'Watch the network namespace of process PID (e.g. a container\'s main process)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l full-dump-budget -d 'Share of one core, in percent, spent on full-state dumps; every interval still reads the queues (LISTEN sockets, sockstat, counters) and the focused namespace\'s states. 0 dumps states only there and in new namespaces' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l interval -d 'Time between collections (`250ms`, `1s`, `2s`; default 1s)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l history -d 'How far back history is kept for time travel (`10m`, `1h`; default 10m)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l export-dir -d 'Where `e` writes snapshot files (default: the current directory)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l log-file -d 'Log file for diagnostics (default: $XDG_STATE_HOME/sockscope/sockscope.log)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l fire-after -d 'Samples a condition must hold before its alert fires [alerts.fire_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l resolve-after -d 'Clear samples before an alert resolves [alerts.resolve_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l alert-window -d 'Look-back for counter rises and growth rates, e.g. `1m` [alerts.window]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l near-full-ratio -d 'Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l near-full-for -d 'How long near full before it alerts [alerts.accept_queue.near_full_for]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l close-wait-min-age -d 'Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l close-wait-min-count -d 'Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l port-warn-ratio -d 'Share of ip_local_port_range in use toward one destination that warns [alerts.ephemeral_ports.warn_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l disable-rule -d 'Rule id not to evaluate; repeatable [alerts.disable]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l all-netns -d 'Watch every network namespace of the host at once'
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l no-processes -d 'Do not look up owning processes: skips the scan of /proc/<pid>/fd (like `ss` without `-p`); process columns and fields stay empty'
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -l read-only -d 'Never destroy sockets (the destroy keys, Ctrl-K, Delete and K, refuse)'
complete -c sockscope -n "__fish_sockscope_using_subcommand top" -s h -l help -d 'Print help'
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l listen -d 'Address and port to listen on; anything but loopback exposes the metrics to the network' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l max-listeners -d 'TCP listeners (and UNIX listeners) with series of their own, most active first; the rest are summed under local="other" (path="other")' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l cache -d 'Scrapes within this time of the last collection share it (`1s`, `500ms`)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l max-connections -d 'Connections served at once (1 to 10000); one more is answered 503 and closed' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l idle-timeout -d 'A connection that sends no (complete) request head for this long is closed, also between keep-alive requests, and so is one whose answer cannot be written for this long because it does not read (100ms to 30s)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l netns -d 'Watch the network namespace NAME under /run/netns (see `ip netns list`), or the one labelled NAME (`k8s:shop/cart-7d9f`, `docker:web-1`, a container id)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l netns-path -d 'Watch the network namespace of an nsfs file (e.g. /proc/<pid>/ns/net)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l pid -d 'Watch the network namespace of process PID (e.g. a container\'s main process)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l full-dump-budget -d 'Share of one core, in percent, spent on full-state dumps; every interval still reads the queues (LISTEN sockets, sockstat, counters) and the focused namespace\'s states. 0 dumps states only there and in new namespaces' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l fire-after -d 'Samples a condition must hold before its alert fires [alerts.fire_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l resolve-after -d 'Clear samples before an alert resolves [alerts.resolve_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l alert-window -d 'Look-back for counter rises and growth rates, e.g. `1m` [alerts.window]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l near-full-ratio -d 'Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l near-full-for -d 'How long near full before it alerts [alerts.accept_queue.near_full_for]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l close-wait-min-age -d 'Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l close-wait-min-count -d 'Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l port-warn-ratio -d 'Share of ip_local_port_range in use toward one destination that warns [alerts.ephemeral_ports.warn_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l disable-rule -d 'Rule id not to evaluate; repeatable [alerts.disable]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l all-netns -d 'Watch every network namespace of the host at once'
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -l no-processes -d 'Do not look up owning processes: skips the scan of /proc/<pid>/fd (like `ss` without `-p`); process columns and fields stay empty'
complete -c sockscope -n "__fish_sockscope_using_subcommand serve" -s h -l help -d 'Print help'
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l interval -d 'Time between samples (`1s`, `250ms`)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l duration -d 'Stop after this long (`10m`); without it, record until interrupted' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l netns -d 'Watch the network namespace NAME under /run/netns (see `ip netns list`), or the one labelled NAME (`k8s:shop/cart-7d9f`, `docker:web-1`, a container id)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l netns-path -d 'Watch the network namespace of an nsfs file (e.g. /proc/<pid>/ns/net)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l pid -d 'Watch the network namespace of process PID (e.g. a container\'s main process)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l full-dump-budget -d 'Share of one core, in percent, spent on full-state dumps; every interval still reads the queues (LISTEN sockets, sockstat, counters) and the focused namespace\'s states. 0 dumps states only there and in new namespaces' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l all-netns -d 'Watch every network namespace of the host at once'
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -l no-processes -d 'Do not look up owning processes: skips the scan of /proc/<pid>/fd (like `ss` without `-p`); process columns and fields stay empty'
complete -c sockscope -n "__fish_sockscope_using_subcommand record" -s h -l help -d 'Print help'
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l speed -d 'Playback speed, times real time (0.25 to 64; `+`/`-` change it)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l history -d 'How far back history is kept for time travel (`10m`, `1h`; default 10m)' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l export-dir -d 'Where `e` writes snapshot files (default: the current directory)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l log-file -d 'Log file for diagnostics (default: $XDG_STATE_HOME/sockscope/sockscope.log)' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l fire-after -d 'Samples a condition must hold before its alert fires [alerts.fire_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l resolve-after -d 'Clear samples before an alert resolves [alerts.resolve_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l alert-window -d 'Look-back for counter rises and growth rates, e.g. `1m` [alerts.window]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l near-full-ratio -d 'Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l near-full-for -d 'How long near full before it alerts [alerts.accept_queue.near_full_for]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l close-wait-min-age -d 'Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l close-wait-min-count -d 'Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l port-warn-ratio -d 'Share of ip_local_port_range in use toward one destination that warns [alerts.ephemeral_ports.warn_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l disable-rule -d 'Rule id not to evaluate; repeatable [alerts.disable]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand replay" -s h -l help -d 'Print help'
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l fire-after -d 'Samples a condition must hold before its alert fires [alerts.fire_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l resolve-after -d 'Clear samples before an alert resolves [alerts.resolve_after]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l alert-window -d 'Look-back for counter rises and growth rates, e.g. `1m` [alerts.window]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l near-full-ratio -d 'Accept-queue fill counted as near full, 0-1 [alerts.accept_queue.near_full_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l near-full-for -d 'How long near full before it alerts [alerts.accept_queue.near_full_for]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l close-wait-min-age -d 'Age in CLOSE_WAIT from which a socket counts as leaked [alerts.close_wait.min_age]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l close-wait-min-count -d 'Leaked CLOSE_WAIT sockets per listener that alert [alerts.close_wait.min_count]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l port-warn-ratio -d 'Share of ip_local_port_range in use toward one destination that warns [alerts.ephemeral_ports.warn_ratio]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l disable-rule -d 'Rule id not to evaluate; repeatable [alerts.disable]' -r
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l config -d 'Config file [default: $XDG_CONFIG_HOME/sockscope/config.toml when present]' -r -F
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -l print -d 'Print the effective configuration as TOML (what `sockscope config` does anyway; kept for scripts)'
complete -c sockscope -n "__fish_sockscope_using_subcommand config" -s h -l help -d 'Print help'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "snapshot" -d 'Print one collection of the current network namespace and exit, or with --watch, sample for a while and report the alerts that fired'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "top" -d 'Open the live dashboard (the default)'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "serve" -d 'Serve Prometheus metrics over HTTP, collecting on each scrape'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "record" -d 'Append a sample to a recording file every interval'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "replay" -d 'Open the dashboard on a recording'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "config" -d 'Show the effective configuration (defaults, config file, flags)'
complete -c sockscope -n "__fish_sockscope_using_subcommand help; and not __fish_seen_subcommand_from snapshot top serve record replay config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
