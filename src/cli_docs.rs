//! The man pages and shell completions, generated from the clap definition
//! in [`crate::cli`] so they cannot drift from `--help`. The copies checked
//! in under `docs/man/` and `completions/` are regenerated with
//! `cargo run --example generate_docs`; `tests/generated_docs.rs` fails
//! when they differ from what this module writes.

use std::io;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Where the man pages go, under the repository root.
pub const MAN_DIR: &str = "docs/man";
/// Where the completions go, under the repository root.
pub const COMPLETIONS_DIR: &str = "completions";
/// The shells completions are written for: bash (`sockscope.bash`), zsh
/// (`_sockscope`) and fish (`sockscope.fish`).
pub const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// Writes `sockscope.1` and one page per command (`sockscope-snapshot.1`,
/// …) into `dir`, which must exist.
pub fn write_man(dir: &Path) -> io::Result<()> {
    clap_mangen::generate_to(Cli::command(), dir)
}

/// Writes the completions of every shell of [`SHELLS`] into `dir`, which
/// must exist.
pub fn write_completions(dir: &Path) -> io::Result<()> {
    let mut cmd = Cli::command();
    for shell in SHELLS {
        clap_complete::generate_to(shell, &mut cmd, "sockscope", dir)?;
    }
    Ok(())
}

/// Writes both under `root` ([`MAN_DIR`], [`COMPLETIONS_DIR`]), creating
/// the directories.
pub fn write_all(root: &Path) -> io::Result<()> {
    let man = root.join(MAN_DIR);
    let completions = root.join(COMPLETIONS_DIR);
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    write_man(&man)?;
    write_completions(&completions)
}
