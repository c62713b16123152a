//! The one rule for showing strings that come from outside sockscope
//! (process names and command lines, UNIX socket paths, host names,
//! namespace labels, container names, text decoded from files, OS and
//! decoder messages that quote them): every control character and every
//! Unicode direction override is replaced by a visible escape, so such a
//! string can neither move a terminal's cursor or change its screen, nor
//! split a line, a table row or a CSV record. Text, CSV, stderr, the
//! Prometheus label values and the dashboard ([`clean_round`], instead of
//! ratatui silently dropping control characters) all pass strings through
//! [`clean`]; JSON keeps them as they are (its encoding escapes them).

use std::borrow::Cow;
use std::fmt::Write;

use crate::model::{Round, Snapshot};

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

/// Replaces `text` by its [`clean`] form when that differs.
fn clean_in_place(text: &mut String) {
    if let Cow::Owned(cleaned) = clean(text) {
        *text = cleaned;
    }
}

/// Cleans every outside string of `snapshot` in place: host name, namespace
/// labels and ids, UNIX socket paths, process names, command lines and
/// users, collector notes. The dashboard does this to each sample before
/// its model sees it, so screens, alert messages and its exports show the
/// escaped form.
pub fn clean_snapshot(snapshot: &mut Snapshot) {
    clean_in_place(&mut snapshot.hostname);
    clean_in_place(&mut snapshot.netns);
    if let Some(id) = &mut snapshot.netns_id {
        clean_in_place(id);
    }
    for u in &mut snapshot.unix_listeners {
        clean_in_place(&mut u.path);
    }
    for p in &mut snapshot.processes.list {
        clean_in_place(&mut p.comm);
        clean_in_place(&mut p.cmdline);
        clean_in_place(&mut p.user);
    }
    for part in &mut snapshot.netns_parts {
        clean_in_place(&mut part.label);
        part.id.iter_mut().for_each(clean_in_place);
        part.error.iter_mut().for_each(clean_in_place);
    }
    snapshot.collector.notes.iter_mut().for_each(clean_in_place);
}

/// Cleans every outside string of `round` in place: each namespace's
/// sample ([`clean_snapshot`]), label, container id and error, the host
/// name and the namespaces that could not be entered.
pub fn clean_round(round: &mut Round) {
    clean_in_place(&mut round.hostname);
    for part in &mut round.parts {
        clean_in_place(&mut part.label);
        part.id.iter_mut().for_each(clean_in_place);
        part.error.iter_mut().for_each(clean_in_place);
        part.sample.iter_mut().for_each(clean_snapshot);
    }
    for u in &mut round.unreachable {
        clean_in_place(&mut u.label);
        clean_in_place(&mut u.reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_is_cleaned_in_every_outside_string() {
        let mut s = crate::model::fixtures::snapshot("2026-11-24T02:40:00Z", vec![]);
        s.hostname = "h\x1b".to_owned();
        s.unix_listeners.push(crate::model::UnixListener {
            path: "/run/\x1b[2J\n.sock".to_owned(),
            inode: 1,
            kind: crate::model::UnixKind::Stream,
            accept_queue: 0,
            backlog: 1,
        });
        s.processes
            .list
            .push(crate::model::fixtures::process(1, "ev\til"));
        clean_snapshot(&mut s);
        assert_eq!(s.hostname, "h\\x1b");
        assert_eq!(s.unix_listeners[0].path, "/run/\\x1b[2J\\n.sock");
        assert_eq!(s.processes.list[0].comm, "ev\\til");
    }

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
