//! The alerts panel as a list: `↑ ↓` select an active alert, `Enter` opens
//! what it is about (a listener's or remote's drill-down, a UNIX listener
//! row, a namespace alone), and the status line says what to do about the
//! selected row's worst alert.

use super::app::{App, Panel, Status, Tab};
use super::filter::Filter;
use super::layout;
use super::views::alert_log;
use crate::model::{Alert, Target, TargetKind};

impl App {
    /// The alert the alerts panel has selected.
    pub fn selected_alert(&self) -> Option<&Alert> {
        self.shown()?.alerts.active.get(self.alert_selected)
    }

    /// Moves the panel's selection by `d` alerts and scrolls it into view.
    pub(super) fn move_alert(&mut self, d: isize) {
        let n = self.shown().map_or(0, |f| f.alerts.active.len());
        self.alert_selected = self
            .alert_selected
            .saturating_add_signed(d)
            .min(n.saturating_sub(1));
        let (_, at) = alert_log::lines(self);
        if let Some(line) = at {
            let visible = usize::from(layout::panel(self.size, self.drill.is_some()).height)
                .saturating_sub(2)
                .max(1);
            // The alert's heading, message and advice stay on screen.
            if line < self.panel_scroll {
                self.panel_scroll = line;
            } else if line + 3 > self.panel_scroll + visible {
                self.panel_scroll = (line + 3).saturating_sub(visible);
            }
        }
    }

    /// `Enter` in the alerts panel: closes it and shows the alert's target.
    pub(super) fn open_alert(&mut self) {
        let Some(alert) = self.selected_alert().cloned() else {
            self.status = Some(Status::Info("no active alert to open".to_owned()));
            return;
        };
        let target = alert.target;
        self.panel = None;
        self.drill = None;
        self.netns_focus = None;
        self.filter = Filter::default();
        match target.kind {
            TargetKind::Listener => self.open_listener(&target),
            TargetKind::Remote => {
                let is = |app: &App, i: usize| {
                    app.shown().is_some_and(|f| {
                        let r = &f.agg.remotes[i];
                        Target::remote(r).in_netns(f.snapshot.netns_of_part(r.netns)) == target
                    })
                };
                self.open_where(Tab::Remotes, is);
            }
            TargetKind::UnixSocket => self.select_where(Tab::Unix, |app, i| {
                app.shown().is_some_and(|f| {
                    let u = &f.snapshot.unix_listeners[i];
                    let part = f.snapshot.part_of_unix(i) as u16;
                    let netns = f.snapshot.netns_of_part(part).map(str::to_owned);
                    (u.path == target.name || format!("inode {}", u.inode) == target.name)
                        && netns == target.netns
                })
            }),
            TargetKind::Namespace => {
                let label = target.netns.as_deref().unwrap_or(&target.name);
                let part = self.shown().and_then(|f| f.snapshot.part_index(label));
                self.netns_focus = part.filter(|_| {
                    self.shown()
                        .is_some_and(|f| !f.snapshot.netns_parts.is_empty())
                });
                self.tab = Tab::Listeners;
                self.refresh();
            }
            TargetKind::Process => {
                self.status = Some(Status::Info(format!(
                    "the alert is about process {}",
                    target.name
                )));
            }
        }
    }

    fn open_listener(&mut self, target: &Target) {
        let is = |app: &App, i: usize| {
            app.shown().is_some_and(|f| {
                let s = &f.snapshot;
                &s.listener_target(&s.listener_key(&f.agg.listeners[i])) == target
            })
        };
        self.open_where(Tab::Listeners, is);
    }

    /// Selects the first row of `tab` for which `is` holds and drills into it.
    fn open_where(&mut self, tab: Tab, is: impl Fn(&App, usize) -> bool) {
        self.select_where(tab, &is);
        let row = self.navs[tab as usize].selected_row();
        if row.is_some_and(|r| is(self, r as usize)) {
            self.handle(super::app::Action::Open);
        }
    }

    /// Shows `tab` and selects its first row for which `is` holds.
    fn select_where(&mut self, tab: Tab, is: impl Fn(&App, usize) -> bool) {
        self.tab = tab;
        self.refresh();
        let rows = self.navs[tab as usize].rows.clone();
        match rows.iter().position(|&r| is(self, r as usize)) {
            Some(pos) => self.select(pos),
            None => {
                self.status = Some(Status::Info(
                    "the alert's target is not in this sample".to_owned(),
                ))
            }
        }
    }

    /// What to do about the worst alert of the row in front of the user
    /// (the selected listener, or the drilled one): for the status line.
    pub fn advice_in_view(&self) -> Option<&Alert> {
        let frame = self.shown()?;
        let target = match &self.drill {
            Some(d) => d.target.alert_target(frame),
            None if self.tab == Tab::Listeners && self.panel.is_none() => {
                let row = self.navs[Tab::Listeners as usize].selected_row()?;
                let s = &frame.snapshot;
                s.listener_target(&s.listener_key(&frame.agg.listeners[row as usize]))
            }
            None if self.tab == Tab::Remotes && self.panel.is_none() => {
                let row = self.navs[Tab::Remotes as usize].selected_row()?;
                let s = &frame.snapshot;
                s.remote_target(&s.remote_key(&frame.agg.remotes[row as usize]))
            }
            None if self.panel == Some(Panel::Alerts) => return self.selected_alert(),
            None => return None,
        };
        frame
            .alerts
            .active
            .iter()
            .filter(|a| a.target == target)
            .min_by_key(|a| std::cmp::Reverse(a.severity))
    }
}
