//! The process popup's state: which process the selected row belongs to,
//! opening and closing the popup (`i`, a click on a PROCESS cell), and
//! what the process holds in the shown sample, recomputed on each refresh.

use super::app::{App, DrillTarget, Status, Tab};
use super::views;
use crate::model::{ProcessInfo, ProcessSockets};

/// The process popup over the overview or the drill-down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Popup {
    /// The process shown, by pid (its identity across samples).
    pub pid: u32,
    /// First line shown (it scrolls when the terminal is short).
    pub scroll: usize,
    /// The process and what it holds in the shown sample; `None` when the
    /// sample has no process with that pid.
    pub found: Option<(ProcessInfo, ProcessSockets)>,
}

impl App {
    /// The process holding the selected row (index into
    /// `snapshot.processes.list`): in the drill-down the selected
    /// connection's owner, else the drilled listener's or remote's first
    /// owner; in the overview the row's first owner.
    pub fn process_in_view(&self) -> Option<u32> {
        let f = self.shown()?;
        let (snap, agg) = (&f.snapshot, &f.agg);
        if let Some(d) = &self.drill {
            let conn = d.nav.selected_row();
            if let Some(&p) = conn.and_then(|i| agg.processes_of(snap, i as usize).first()) {
                return Some(p);
            }
            return match (&d.target, d.index) {
                (DrillTarget::Listener(_), Some(l)) => agg.listeners[l].processes.first().copied(),
                (DrillTarget::Remote(_), Some(r)) => agg.remotes[r].processes.first().copied(),
                (_, None) => None,
            };
        }
        let row = self.navs[self.tab as usize].selected_row()? as usize;
        match self.tab {
            Tab::Listeners => agg.listeners[row].processes.first().copied(),
            Tab::Remotes => agg.remotes[row].processes.first().copied(),
            Tab::Unix => agg.unix_processes[row].first().copied(),
        }
    }

    /// `i`: opens the popup on the selected row's process, or closes it.
    pub(super) fn toggle_popup(&mut self) {
        if self.popup.take().is_some() {
            return;
        }
        let Some(frame) = self.shown() else { return };
        let procs = &frame.snapshot.processes;
        let Some(p) = self.process_in_view().and_then(|i| procs.get(i)) else {
            let why = if procs.enabled {
                "no process is known to hold this row's sockets"
            } else {
                "this sample has no process attribution"
            };
            self.status = Some(Status::Info(why.to_owned()));
            return;
        };
        self.popup = Some(Popup {
            pid: p.pid,
            scroll: 0,
            found: None,
        });
        self.refresh_popup();
    }

    /// Finds the popup's process in the shown sample again.
    pub(super) fn refresh_popup(&mut self) {
        let Some(frame) = self.shown().cloned() else {
            return;
        };
        let Some(popup) = self.popup.as_mut() else {
            return;
        };
        let snap = &frame.snapshot;
        popup.found = snap
            .processes
            .list
            .iter()
            .position(|p| p.pid == popup.pid)
            .map(|i| {
                let held = ProcessSockets::of(snap, &frame.agg, i as u32);
                (snap.processes.list[i].clone(), held)
            });
    }

    /// Scrolls the popup by `d` lines, within its length.
    pub(super) fn scroll_popup(&mut self, d: isize) {
        let width = views::process::width(self.size);
        let lines = views::process::lines(self, width.saturating_sub(2)).len();
        let at = views::process::area(self.size, lines);
        let most = lines.saturating_sub(usize::from(at.height.saturating_sub(2)));
        if let Some(p) = self.popup.as_mut() {
            p.scroll = p.scroll.saturating_add_signed(d).min(most);
        }
    }
}
