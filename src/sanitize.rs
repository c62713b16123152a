//! The one rule for showing strings that come from outside sockscope
//! (process names and command lines, UNIX socket paths, host names,
//! namespace labels, container names, text decoded from files, OS and
//! decoder messages that quote them): every control character and every
//! Unicode direction override is replaced by a visible escape, so such a
//! string can neither move a terminal's cursor or change its screen, nor
//! split a line, a table row or a CSV record. Text, CSV, stderr, the
//! Prometheus label values and the dashboard all pass strings through
//! [`clean`]; JSON keeps them as they are (its encoding escapes them).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is replaced by an escape: C0 and C1 controls, DEL, and the
/// bidirectional formatting characters (U+200E, U+200F, U+202A..U+202E,
/// U+2066..U+2069) that reorder what a terminal shows.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [unsafe](is_unsafe) character escaped: `\n`, `\r` and
/// `\t` by name, ESC and the other controls below U+0100 as `\xNN`, the
/// rest as `\u{NNNN}`. Borrowed when nothing needed escaping.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_the_rest_kept() {
        assert!(matches!(clean("nginx: worker"), Cow::Borrowed(_)));
        assert_eq!(clean("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(clean("row\nsplit\r\tx"), "row\\nsplit\\r\\tx");
        assert_eq!(clean("\x7f\u{9b}"), "\\x7f\\x9b");
        assert_eq!(clean("évil\u{202e}txt"), "évil\\u{202e}txt");
        assert_eq!(clean("/run/ü.sock \\ ok"), "/run/ü.sock \\ ok");
    }
}
