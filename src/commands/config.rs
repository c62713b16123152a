//! `sockscope config` (or `config --print`): the effective configuration,
//! dashboard keys included.

use std::io::Write;

use crate::cli::ConfigArgs;
use crate::config::Config;

/// Prints `config` (already resolved from defaults, file and flags) as TOML.
pub fn run(_args: &ConfigArgs, config: &Config) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# sockscope effective configuration: defaults, then the config file, then flags"
    )?;
    out.write_all(config.to_toml().as_bytes())?;
    Ok(())
}
