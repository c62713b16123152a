//! `--all-netns` on screen: which namespace the tables show (`n` cycles
//! through them, then back to all); and the one-time hint about process
//! attribution without privilege.

use super::app::{App, Status};
use super::filter::Filter;
use crate::model::{Needs, Snapshot};

/// Keeps the rows whose namespace (`part_of(row)`, a part of `snapshot`)
/// is `focus` (any without a focus) and passes the `netns:` terms of
/// `filter`.
pub fn keep(
    rows: &mut Vec<u32>,
    focus: Option<u16>,
    filter: &Filter,
    snapshot: &Snapshot,
    part_of: impl Fn(usize) -> u16,
) {
    rows.retain(|&i| {
        let part = part_of(i as usize);
        let (label, id) = match snapshot.netns_parts.get(usize::from(part)) {
            Some(p) => (p.label.as_str(), p.id.as_deref()),
            None => (snapshot.netns.as_str(), snapshot.netns_id.as_deref()),
        };
        focus.is_none_or(|f| f == part) && filter.matches_netns(label, id)
    });
}

impl App {
    /// `n`: the next namespace alone, after the last one all of them again.
    pub(super) fn next_netns(&mut self) {
        let Some(frame) = self.shown() else { return };
        let parts = &frame.snapshot.netns_parts;
        if parts.is_empty() {
            self.status = Some(Status::Info(
                "n picks a namespace when watching several (sockscope --all-netns)".to_owned(),
            ));
            return;
        }
        let next = match self.netns_focus {
            None => Some(0),
            Some(i) if usize::from(i) + 1 < parts.len() => Some(i + 1),
            Some(_) => None,
        };
        let label = next.map_or("all namespaces".to_owned(), |i| {
            let p = &parts[usize::from(i)];
            match &p.error {
                Some(e) => format!("namespace {} ({e})", p.label),
                None => format!("namespace {}", p.label),
            }
        });
        self.netns_focus = next;
        self.status = Some(Status::Info(format!("showing {label}")));
        self.refresh();
    }

    /// Says once, in the status line, how to see the owners shown as `?`
    /// (`denied` processes could not be read).
    pub(super) fn hint_attribution(&mut self, denied: u32) {
        if denied > 0 && !self.attribution_hint && self.status.is_none() {
            self.attribution_hint = true;
            self.status = Some(Status::Info(format!(
                "owners of some sockets show as ?: {denied} processes' /proc/<pid>/fd are unreadable; \
                 run as root or with CAP_SYS_PTRACE for full attribution"
            )));
        }
    }

    /// What the dashboard needs fresh states of, from the newest sample:
    /// the drill-down's namespace and the one in focus, and those with
    /// active alerts.
    pub fn needs(&self) -> Needs {
        let Some(latest) = self.latest() else {
            return Needs::default();
        };
        let picked = self.netns_focus_label();
        let focused: Vec<&str> = self
            .drill
            .iter()
            .map(|d| d.target.netns())
            .chain(picked.as_deref())
            .collect();
        Needs::of(&latest.snapshot, &focused, &latest.alerts)
    }

    /// The label of the namespace in focus, if any.
    pub fn netns_focus_label(&self) -> Option<String> {
        let i = usize::from(self.netns_focus?);
        Some(self.shown()?.snapshot.netns_parts.get(i)?.label.clone())
    }
}
