//! Regenerates the checked-in man pages (`docs/man/`) and shell completions
//! (`completions/`) from the clap definition:
//!
//! ```text
//! cargo run --example generate_docs
//! ```
//!
//! Run it after changing any option or help text; `tests/generated_docs.rs`
//! fails until the checked-in files match.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    sockscope::cli_docs::write_all(root)?;
    println!(
        "wrote {} and {} under {}",
        sockscope::cli_docs::MAN_DIR,
        sockscope::cli_docs::COMPLETIONS_DIR,
        root.display()
    );
    Ok(())
}
