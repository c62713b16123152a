//! `--help` of every command (insta), and the option combinations clap
//! refuses: each option is offered only by the commands it affects.

use clap::CommandFactory;
use clap::error::ErrorKind;
use sockscope::cli::{Cli, Command};

/// The short help (`-h`) of `sockscope` or of one of its commands.
fn help(command: Option<&str>) -> String {
    let mut cli = Cli::command();
    cli.build();
    let cmd = match command {
        Some(name) => cli.find_subcommand_mut(name).unwrap(),
        None => &mut cli,
    };
    cmd.render_help().to_string()
}

#[test]
fn help_groups_target_dashboard_and_alert_options_apart_from_the_commands_own() {
    insta::assert_snapshot!("help_sockscope", help(None));
    for name in ["top", "snapshot", "serve", "record", "replay", "config"] {
        insta::assert_snapshot!(format!("help_{name}"), help(Some(name)));
    }
}

/// The headings of a command's help, in order.
fn headings(command: &str) -> Vec<String> {
    help(Some(command))
        .lines()
        .filter(|l| !l.starts_with(' ') && l.ends_with(':') && !l.starts_with("Usage"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_command_offers_the_groups_that_apply_to_it() {
    let all = [
        "Options:",
        "Target namespace:",
        "Dashboard:",
        "Alert thresholds:",
        "Global options:",
    ];
    assert_eq!(headings("top"), all);
    assert_eq!(
        headings("snapshot"),
        [
            "Options:",
            "Target namespace:",
            "Alert thresholds:",
            "Global options:"
        ]
    );
    assert_eq!(headings("serve"), headings("snapshot"));
    assert_eq!(
        headings("record"),
        [
            "Arguments:",
            "Options:",
            "Target namespace:",
            "Global options:"
        ]
    );
    assert_eq!(
        headings("replay"),
        [
            "Arguments:",
            "Options:",
            "Dashboard:",
            "Alert thresholds:",
            "Global options:"
        ]
    );
    assert_eq!(
        headings("config"),
        ["Options:", "Alert thresholds:", "Global options:"]
    );
}

fn refused(args: &[&str]) -> clap::Error {
    match Cli::try_parse_args(std::iter::once("sockscope").chain(args.iter().copied())) {
        Ok(cli) => panic!("{args:?} was accepted: {cli:?}"),
        Err(e) => e,
    }
}

#[test]
fn options_are_refused_on_commands_they_do_not_affect() {
    for args in [
        // A replay shows the namespace it recorded, at the recorded pace,
        // and has nothing to destroy.
        &["replay", "r.rec", "--netns", "web"][..],
        &["replay", "r.rec", "--all-netns"],
        &["replay", "r.rec", "--pid", "1"],
        &["replay", "r.rec", "--interval", "1s"],
        &["replay", "r.rec", "--read-only"],
        // Only the dashboard destroys sockets.
        &["snapshot", "--read-only"],
        &["serve", "--read-only"],
        &["record", "r.rec", "--read-only"],
        &["config", "--read-only"],
        // record judges no alerts; config collects nothing.
        &["record", "r.rec", "--fire-after", "2"],
        &["config", "--netns", "web"],
        &["config", "--no-processes"],
    ] {
        let e = refused(args);
        assert_eq!(e.kind(), ErrorKind::UnknownArgument, "{args:?}: {e}");
    }
    // Options go after the command they belong to.
    let e = refused(&["--netns", "web", "snapshot"]);
    assert_eq!(e.kind(), ErrorKind::ArgumentConflict, "{e}");
    assert!(
        e.to_string().starts_with(
            "error: --netns goes after the command it is for: `sockscope snapshot --netns …`"
        ),
        "{e}"
    );
    let e = refused(&["snapshot", "--netns", "a", "--all-netns"]);
    assert_eq!(e.kind(), ErrorKind::ArgumentConflict, "{e}");
}

#[test]
fn options_are_accepted_where_they_apply() {
    let parse = |args: &[&str]| {
        Cli::try_parse_args(std::iter::once("sockscope").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };
    let dashboard = parse(&["--netns", "web", "--read-only", "--fire-after", "3"]);
    assert!(dashboard.command.is_none());
    assert_eq!(dashboard.top.target.netns.as_deref(), Some("web"));
    assert!(dashboard.top.read_only);
    assert_eq!(dashboard.alerts().unwrap().fire_after, Some(3));

    let Some(Command::Snapshot(s)) = parse(&[
        "snapshot",
        "--all-netns",
        "--fire-after",
        "2",
        "--config",
        "c.toml",
    ])
    .command
    else {
        panic!("not a snapshot")
    };
    assert!(s.target.all_netns);
    assert!(!s.target.read_only, "snapshot never destroys");
    assert_eq!(s.alerts.fire_after, Some(2));

    let config_first = parse(&["--config", "c.toml", "config", "--fire-after", "4"]);
    assert_eq!(config_first.config.as_deref(), Some("c.toml".as_ref()));
    assert_eq!(config_first.alerts().unwrap().fire_after, Some(4));
    assert!(parse(&["record", "r.rec", "--pid", "1"]).alerts().is_none());
    assert!(matches!(
        parse(&["replay", "r.rec", "--history", "1h", "--speed", "2"]).command,
        Some(Command::Replay(_))
    ));
}

/// The real binary: a refused option is one usage error, exit status 2.
#[test]
fn the_binary_refuses_netns_on_replay_with_status_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["replay", "r.rec", "--all-netns"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: unexpected argument '--all-netns' found"),
        "{err}"
    );
}
