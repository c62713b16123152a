//! The dashboard's state machine: what is shown, selected, sorted, filtered
//! and paused. Pure: driven by [`Action`]s and samples, no terminal and no
//! clock, so every behaviour is testable with plain values.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Rect;

use super::columns;
use super::destroy::Confirm;
use super::filter::Filter;
use super::keys::Layer;
use super::layout;
use super::nav::TableNav;
use super::netns;
use super::rows;
use super::theme::Theme;
use super::views;
use crate::model::{Frame, Listener, Model, ModelLimits, Round, Severity, TcpList};
use crate::record::SPEEDS;

pub use super::popup::Popup;
pub use super::state::{Action, Drill, DrillTarget, Effect, Mode, Panel, Settings, Status, Tab};

/// The whole state of the dashboard.
#[derive(Clone, Debug)]
pub struct App {
    /// Samples and their history.
    pub model: Model,
    /// Start settings.
    pub settings: Settings,
    /// Colours.
    pub theme: Theme,
    /// Active overview tab.
    pub tab: Tab,
    /// Per-tab table state, indexed by `Tab as usize`.
    pub navs: [TableNav; 3],
    /// The overview filter, applied to every tab.
    pub filter: Filter,
    /// True while the filter line takes keystrokes.
    pub editing: bool,
    /// The drill-down, when open (the view stack is overview → drill-down).
    pub drill: Option<Drill>,
    /// Help overlay shown.
    pub help: bool,
    /// First line of the help overlay shown (it scrolls when the terminal
    /// is too short for every key).
    pub help_scroll: usize,
    /// The panel shown over the body, if any.
    pub panel: Option<Panel>,
    /// First line of the panel shown (scrolling).
    pub panel_scroll: usize,
    /// The process popup, when open.
    pub popup: Option<Popup>,
    /// The selected alert of the alerts panel (index into the shown
    /// sample's active alerts); `Enter` opens its target.
    pub alert_selected: usize,
    /// When paused: how many samples behind the newest the shown one is.
    pub paused: Option<usize>,
    /// The status line.
    pub status: Option<Status>,
    /// The latest collection error, cleared by the next good sample.
    pub collect_error: Option<String>,
    /// Set when the source has no more samples.
    pub finished: bool,
    /// Terminal size.
    pub size: Rect,
    /// Set once the user quit.
    pub quit: bool,
    /// A destroy question waiting for its answer.
    pub confirm: Option<Confirm>,
    /// With several namespaces: the one shown alone (index into
    /// `snapshot.netns_parts`), `None` for all.
    pub netns_focus: Option<u16>,
    /// Set once the status line said how to get full process attribution.
    pub attribution_hint: bool,
}

impl App {
    /// A dashboard with no samples yet.
    pub fn new(settings: Settings, theme: Theme, size: Rect) -> App {
        let limits = ModelLimits {
            history: settings.history,
            ..ModelLimits::default()
        };
        App {
            model: Model::with_thresholds(&limits, settings.thresholds.clone()),
            settings,
            theme,
            tab: Tab::Listeners,
            navs: Default::default(),
            filter: Filter::default(),
            editing: false,
            drill: None,
            help: false,
            help_scroll: 0,
            panel: None,
            panel_scroll: 0,
            popup: None,
            alert_selected: 0,
            paused: None,
            status: None,
            collect_error: None,
            finished: false,
            size,
            quit: false,
            confirm: None,
            netns_focus: None,
            attribution_hint: false,
        }
    }

    /// The sample on screen: the newest, or the paused one.
    pub fn shown(&self) -> Option<&Frame> {
        self.model.history.back(self.paused.unwrap_or(0))
    }

    /// The sample before the shown one (for deltas).
    pub fn previous(&self) -> Option<&Frame> {
        self.model.history.back(self.paused.unwrap_or(0) + 1)
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<&Frame> {
        self.model.history.latest()
    }

    /// Owning processes of a listener of the shown sample, as the PROCESS
    /// column shows them (`nginx[812]`, `gunicorn[2211]+3`, `?` when
    /// `/proc` could not be read); `None` when unknown.
    pub fn process_of(&self, listener: &Listener) -> Option<String> {
        let label = self.shown()?.snapshot.processes.label(&listener.processes);
        (!label.is_empty()).then_some(label)
    }

    /// The worst severity of the shown sample's alerts about a listener
    /// (its row marker, [`marker`]).
    pub fn alert_severity(&self, listener: &Listener) -> Option<Severity> {
        let shown = self.shown()?;
        let snapshot = &shown.snapshot;
        let target = snapshot.listener_target(&snapshot.listener_key(listener));
        shown.alerts.about(&target).map(|a| a.severity).max()
    }

    /// The overlay stack, bottom first: the overview list, the
    /// drill-down, a panel, the process popup, the help overlay, the filter
    /// line, a question. Each covers the ones below it.
    pub fn layers(&self) -> Vec<Layer> {
        let open = [
            (self.drill.is_some(), Layer::Drill),
            (self.panel.is_some(), Layer::Panel),
            (self.popup.is_some(), Layer::Popup),
            (self.help, Layer::Help),
            (self.editing, Layer::Filter),
            (self.confirm.is_some(), Layer::Prompt),
        ];
        let above = open.into_iter().filter(|(on, _)| *on).map(|(_, l)| l);
        std::iter::once(Layer::List).chain(above).collect()
    }

    /// What has the keyboard: the top of [`App::layers`]. Key dispatch,
    /// the footer and the help all ask this one place.
    pub fn layer(&self) -> Layer {
        self.layers().last().copied().unwrap_or(Layer::List)
    }

    /// Takes a new frame of one namespace (built on the collector thread).
    /// While paused the shown sample stays the same; nothing is dropped
    /// from history.
    pub fn ingest(&mut self, frame: Frame) {
        self.ingest_with(|model| model.ingest_frame(frame));
    }

    /// Takes a new round (each namespace's frame built on the collector
    /// thread), as [`App::ingest`] does a frame.
    pub fn ingest_round(&mut self, round: Round<Frame>) {
        self.ingest_with(|model| {
            model.ingest_round(round);
        });
    }

    fn ingest_with(&mut self, ingest: impl FnOnce(&mut Model)) {
        let before = self.shown().map(|f| Arc::clone(&f.snapshot));
        ingest(&mut self.model);
        let denied = self
            .model
            .history
            .latest()
            .map_or(0, |f| f.snapshot.processes.denied);
        self.collect_error = None;
        self.hint_attribution(denied);
        match self.paused.as_mut() {
            Some(back) => {
                *back = (*back + 1).min(self.model.history.len().saturating_sub(1));
                // The rows stay valid while the shown sample is the same one;
                // it changes when it falls out of the history or loses its
                // socket list to the history's budget.
                let same = match (&before, self.shown()) {
                    (Some(b), Some(now)) => Arc::ptr_eq(b, &now.snapshot),
                    _ => false,
                };
                if !same {
                    self.refresh();
                }
            }
            None => self.refresh(),
        }
    }

    /// Socket lists the history no longer needs, emptied, with the inode of
    /// their namespace, for the collector to reuse (see
    /// [`crate::model::Model::take_spares`]).
    pub fn spare_sockets(&mut self) -> Vec<(u64, TcpList)> {
        self.model.take_spares()
    }

    /// Records a failed collection; the last good sample stays on screen.
    pub fn collect_failed(&mut self, message: String) {
        self.collect_error = Some(message);
    }

    /// Records that the source has no more samples (the end of a recording):
    /// the history stays on screen to browse.
    pub fn source_finished(&mut self) {
        self.finished = true;
    }

    /// Records the outcome of an export.
    pub fn exported(&mut self, result: Result<PathBuf, String>) {
        self.status = Some(match result {
            Ok(path) => Status::Info(format!("exported {}", path.display())),
            Err(e) => Status::Error(e),
        });
    }

    /// Where the parts of the overview go: the listeners tab splits off a
    /// lower part on a tall terminal.
    pub fn overview_layout(&self) -> layout::Overview {
        layout::overview(self.size, self.overview_split())
    }

    /// The overview's split ([`layout::overview`]): on the listeners tab,
    /// the number of listeners of the shown sample.
    pub fn overview_split(&self) -> Option<usize> {
        let listeners = self.shown().map_or(0, |f| f.agg.listeners.len());
        (self.tab == Tab::Listeners).then_some(listeners)
    }

    /// Rows visible in the table that has the keyboard.
    pub fn visible_rows(&self) -> usize {
        layout::table_rows(self.table_area())
    }

    /// Recomputes the rows of the active table (and the drill-down) from the shown sample.
    pub fn refresh(&mut self) {
        let visible = self.visible_rows();
        let Some(frame) = self.shown().cloned() else {
            return;
        };
        let tab = self.tab;
        let nav = &mut self.navs[tab as usize];
        match tab {
            Tab::Listeners => {
                let procs = &frame.snapshot.processes;
                let mut r = rows::listeners(&frame.agg, procs, &self.filter, nav.sort);
                let ls = &frame.agg.listeners;
                netns::keep(
                    &mut r,
                    self.netns_focus,
                    &self.filter,
                    &frame.snapshot,
                    |i| ls[i].netns,
                );
                let snap = &frame.snapshot;
                nav.set_rows(
                    r,
                    |i| rows::key(&snap.listener_key(&ls[i as usize])),
                    visible,
                );
            }
            Tab::Remotes => {
                let procs = &frame.snapshot.processes;
                let mut r = rows::remotes(&frame.agg, procs, &self.filter, nav.sort);
                let rs = &frame.agg.remotes;
                netns::keep(
                    &mut r,
                    self.netns_focus,
                    &self.filter,
                    &frame.snapshot,
                    |i| rs[i].netns,
                );
                let snap = &frame.snapshot;
                nav.set_rows(r, |i| rows::key(&snap.remote_key(&rs[i as usize])), visible);
            }
            Tab::Unix => {
                let list = &frame.snapshot.unix_listeners;
                let procs = &frame.snapshot.processes;
                let owners = &frame.agg.unix_processes;
                let mut r = rows::unix(list, owners, procs, &self.filter, nav.sort);
                let snap = &frame.snapshot;
                netns::keep(&mut r, self.netns_focus, &self.filter, snap, |i| {
                    snap.part_of_unix(i) as u16
                });
                nav.set_rows(r, |i| rows::key(&snap.unix_key(i as usize)), visible);
            }
        }
        if let Some(drill) = self.drill.as_mut() {
            drill.index = drill.target.find(&frame);
            let tracker = &self.model.tracker;
            let (filter, sort) = (&drill.filter, drill.nav.sort);
            let r = match (&drill.target, drill.index) {
                (_, Some(_)) if !frame.has_sockets() => Vec::new(),
                (DrillTarget::Listener(_), Some(idx)) => {
                    let socks = frame.agg.connections_of(idx);
                    rows::connections(&frame, socks, tracker, filter, sort)
                }
                (DrillTarget::Remote(_), Some(idx)) => {
                    let socks = frame.agg.remote_connections(idx);
                    rows::connections(&frame, socks, tracker, filter, sort)
                }
                (_, None) => Vec::new(),
            };
            match drill.target {
                DrillTarget::Listener(_) => drill.peers = rows::top_peers(&frame, &r, 8),
                DrillTarget::Remote(_) => drill.owners = rows::owners_of(&frame, &r),
            }
            let tcp = &frame.snapshot.tcp;
            drill.nav.set_rows(r, |i| tcp[i as usize].cookie, visible);
        }
        self.refresh_popup();
    }

    fn key_of(&self) -> impl Fn(u32) -> u64 + use<> {
        let frame = self.shown().cloned();
        let drill = self.drill.is_some();
        let tab = self.tab;
        move |i| {
            let Some(f) = frame.as_ref() else { return 0 };
            let i = i as usize;
            if drill {
                return f.snapshot.tcp.get(i).map_or(0, |s| s.cookie);
            }
            match tab {
                Tab::Listeners => rows::key(&f.snapshot.listener_key(&f.agg.listeners[i])),
                Tab::Remotes => rows::key(&f.snapshot.remote_key(&f.agg.remotes[i])),
                Tab::Unix => rows::key(&f.snapshot.unix_key(i)),
            }
        }
    }

    /// The table that has the keyboard.
    pub fn active_nav(&self) -> &TableNav {
        match &self.drill {
            Some(d) => &d.nav,
            None => &self.navs[self.tab as usize],
        }
    }

    fn active_nav_mut(&mut self) -> &mut TableNav {
        match &mut self.drill {
            Some(d) => &mut d.nav,
            None => &mut self.navs[self.tab as usize],
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let visible = self.visible_rows();
        let key_of = self.key_of();
        self.active_nav_mut().move_by(delta, visible, key_of);
    }

    pub(super) fn select(&mut self, pos: usize) {
        let visible = self.visible_rows();
        let key_of = self.key_of();
        self.active_nav_mut().select(pos, visible, key_of);
    }

    fn set_filter(&mut self, text: String) {
        match self.drill.as_mut() {
            Some(d) => d.filter = Filter::parse(&text),
            None => self.filter = Filter::parse(&text),
        }
        self.refresh();
    }

    /// The filter the filter line edits (the drill-down has its own).
    pub fn active_filter(&self) -> &Filter {
        match &self.drill {
            Some(d) => &d.filter,
            None => &self.filter,
        }
    }

    fn step(&mut self, back: isize) {
        let oldest = self.model.history.len().saturating_sub(1);
        let now = self.paused.unwrap_or(0);
        self.paused = Some(now.saturating_add_signed(back).min(oldest));
        self.refresh();
    }

    /// Scrolls the help overlay by `d` lines, within its length.
    fn scroll_help(&mut self, d: isize) {
        let lines = layout::help_lines(&self.settings.keys);
        let most = lines.saturating_sub(layout::help_visible(self.size, lines));
        self.help_scroll = self.help_scroll.saturating_add_signed(d).min(most);
    }

    /// Applies one action and says what I/O the caller must do.
    pub fn handle(&mut self, action: Action) -> Effect {
        if !matches!(action, Action::Export | Action::Resize { .. }) {
            self.status = None;
        }
        if self.confirm.is_some() && !matches!(action, Action::Resize { .. } | Action::Quit) {
            return self.answer(action);
        }
        match action {
            Action::Quit => {
                self.quit = true;
                return Effect::Quit;
            }
            Action::Help => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            Action::Back => {
                if self.help {
                    self.help = false;
                } else if self.popup.is_some() {
                    self.popup = None;
                } else if self.panel.is_some() {
                    self.panel = None;
                } else if self.editing {
                    self.editing = false;
                    self.set_filter(String::new());
                } else if let Some(drill) = &self.drill {
                    if drill.filter.is_empty() {
                        self.drill = None;
                        self.refresh();
                    } else {
                        self.set_filter(String::new());
                    }
                } else if !self.filter.is_empty() {
                    self.set_filter(String::new());
                }
            }
            // Before the help arms: resizing keeps the overlay open.
            Action::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                self.scroll_help(0);
                self.refresh();
            }
            Action::Move(d) if self.help => self.scroll_help(d),
            Action::Page(d) if self.help => {
                let lines = layout::help_lines(&self.settings.keys);
                let page = layout::help_visible(self.size, lines).max(1) as isize;
                self.scroll_help(d * page);
            }
            Action::Top if self.help => self.help_scroll = 0,
            Action::Bottom if self.help => self.scroll_help(isize::MAX),
            _ if self.help => self.help = false,
            Action::Process => self.toggle_popup(),
            Action::Move(d) if self.popup.is_some() => self.scroll_popup(d),
            Action::Page(d) if self.popup.is_some() => {
                let page = self.size.height.saturating_sub(6);
                self.scroll_popup(d * page.max(1) as isize)
            }
            Action::Top if self.popup.is_some() => self.scroll_popup(isize::MIN / 2),
            Action::Bottom if self.popup.is_some() => self.scroll_popup(isize::MAX / 2),
            Action::Click { .. } if self.popup.is_some() => self.popup = None,
            Action::Panel(p) => {
                self.panel = (self.panel != Some(p)).then_some(p);
                self.panel_scroll = 0;
                self.alert_selected = 0;
            }
            Action::Move(d) if self.panel == Some(Panel::Alerts) => self.move_alert(d),
            Action::Open if self.panel == Some(Panel::Alerts) => self.open_alert(),
            Action::Move(d) if self.panel.is_some() => self.scroll_panel(d),
            Action::Page(d) if self.panel.is_some() => {
                self.scroll_panel(d * self.visible_rows().max(1) as isize)
            }
            Action::Top if self.panel.is_some() => self.panel_scroll = 0,
            Action::Bottom if self.panel.is_some() => self.scroll_panel(isize::MAX / 2),
            Action::StartFilter => self.editing = true,
            Action::FilterChar(c) => {
                let mut text = self.active_filter().text.clone();
                text.push(c);
                self.set_filter(text);
            }
            Action::FilterBackspace => {
                let mut text = self.active_filter().text.clone();
                text.pop();
                self.set_filter(text);
            }
            Action::FilterDone => self.editing = false,
            Action::ClearFilter => self.set_filter(String::new()),
            Action::Move(d) => self.move_selection(d),
            Action::Page(d) => {
                let page = self.visible_rows().max(1) as isize;
                self.move_selection(d * page);
            }
            Action::Top => self.select(0),
            Action::Bottom => self.select(usize::MAX),
            Action::End => {
                if self.paused.is_some() {
                    self.paused = None;
                    self.refresh();
                } else {
                    self.select(usize::MAX);
                }
            }
            Action::TogglePause => {
                self.paused = match self.paused {
                    Some(_) => None,
                    None => Some(0),
                };
                self.refresh();
            }
            Action::StepBack => self.step(1),
            Action::StepForward => {
                if self.paused.is_some() {
                    self.step(-1);
                }
            }
            Action::NextSort => {
                let sort = self.active_nav().sort;
                let table = self.table_area();
                let next = match (&self.drill, self.tab) {
                    (Some(d), _) => {
                        let shown = views::connections::shown(self, d, table);
                        columns::next_sort(sort, &shown)
                    }
                    (None, Tab::Listeners) => {
                        columns::next_sort(sort, &views::listeners::shown(self, table))
                    }
                    (None, Tab::Remotes) => {
                        columns::next_sort(sort, &views::remotes::shown(self, table))
                    }
                    (None, Tab::Unix) => columns::next_sort(sort, &views::unix::shown(self, table)),
                };
                self.active_nav_mut().sort = next;
                self.refresh();
            }
            Action::ReverseSort => {
                self.active_nav_mut().reverse_sort();
                self.refresh();
            }
            Action::CycleTab(d) => {
                if self.drill.is_none() {
                    let next = (self.tab as isize + d).rem_euclid(Tab::ALL.len() as isize);
                    self.tab = Tab::ALL[next as usize];
                    self.refresh();
                }
            }
            Action::Tab(t) => {
                if self.drill.is_none() {
                    self.tab = t;
                    self.refresh();
                }
            }
            Action::Open => self.open_drill(),
            Action::Faster | Action::Slower => self.change_speed(action == Action::Faster),
            Action::Export => {
                if let Some(frame) = self.shown() {
                    return Effect::Export(frame.clone());
                }
                self.status = Some(Status::Error("nothing to export yet".to_owned()));
            }
            Action::Kill => self.ask_kill(),
            Action::KillCloseWait => self.ask_kill_close_wait(),
            Action::ConfirmYes | Action::ChooseAge(_) => {}
            Action::NextNetns => self.next_netns(),
            Action::Click { x, y } => self.click(x, y),
        }
        Effect::None
    }

    /// Scrolls the open panel; the view clamps it to its length.
    fn scroll_panel(&mut self, delta: isize) {
        self.panel_scroll = self.panel_scroll.saturating_add_signed(delta);
    }

    /// Doubles or halves the replay speed within [`SPEEDS`]; live mode has
    /// no speed and says so.
    fn change_speed(&mut self, faster: bool) {
        match &mut self.settings.mode {
            Mode::Replay { speed } => {
                let next = if faster { *speed * 2.0 } else { *speed / 2.0 };
                *speed = next.clamp(SPEEDS.0, SPEEDS.1);
            }
            Mode::Live => {
                self.status = Some(Status::Info(
                    "+ and - change the speed of a replay (sockscope replay FILE)".to_owned(),
                ));
            }
        }
    }

    /// `Enter`: drill into the selected listener or remote; on the UNIX
    /// tab, list the selected listener's clients.
    fn open_drill(&mut self) {
        if self.drill.is_some() {
            return;
        }
        if self.tab == Tab::Unix {
            self.panel = Some(Panel::UnixPeers);
            self.panel_scroll = 0;
            return;
        }
        let Some(frame) = self.shown() else { return };
        let Some(row) = self.navs[self.tab as usize].selected_row() else {
            return;
        };
        let (snap, agg) = (&frame.snapshot, &frame.agg);
        let target = match self.tab {
            Tab::Listeners => {
                DrillTarget::Listener(snap.listener_key(&agg.listeners[row as usize]))
            }
            Tab::Remotes => DrillTarget::Remote(snap.remote_key(&agg.remotes[row as usize])),
            Tab::Unix => return,
        };
        self.drill = Some(Drill {
            target,
            index: None,
            nav: TableNav::default(),
            filter: Filter::default(),
            peers: Vec::new(),
            owners: Vec::new(),
        });
        self.refresh();
    }

    /// The table that has the keyboard, header row included.
    fn table_area(&self) -> Rect {
        match self.drill {
            Some(_) => layout::drill(self.size).conns,
            None => self.overview_layout().table,
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        if self.drill.is_none() {
            let o = self.overview_layout();
            if y == o.tabs.y {
                if let Some(t) = super::views::tabs::tab_at(self, x) {
                    self.tab = t;
                    self.refresh();
                }
                return;
            }
        }
        let table = self.table_area();
        if y == table.y {
            self.click_header(table, x);
            return;
        }
        let body = table.y + 1;
        if x >= table.x && x < table.right() && y >= body && y < table.bottom() {
            let offset = self.active_nav().offset;
            self.select(offset + usize::from(y - body));
            if self
                .column_at(table, x)
                .is_some_and(|(title, _)| title == "PROCESS")
            {
                self.toggle_popup();
            }
        }
    }
}

impl App {
    /// A click on the header row of the table that has the keyboard: sort by that
    /// column, or reverse when already sorted by it.
    fn click_header(&mut self, table: Rect, x: u16) {
        if let Some((_, sort)) = self.column_at(table, x) {
            self.active_nav_mut().sort = sort;
            self.refresh();
        }
    }

    /// The column at cell `x` of the table that has the keyboard (drawn
    /// in `table`): its title and the sort a click on its header gives.
    fn column_at(&self, table: Rect, x: u16) -> Option<(&'static str, super::nav::Sort)> {
        fn of<C: columns::Columns>(
            table: Rect,
            shown: &[columns::Shown<C>],
            x: u16,
            sort: super::nav::Sort,
        ) -> Option<(&'static str, super::nav::Sort)> {
            columns::at(table, shown, x).map(|c| (c.spec().title, columns::clicked(sort, c)))
        }
        let sort = self.active_nav().sort;
        match (&self.drill, self.tab) {
            (Some(d), _) => of(table, &views::connections::shown(self, d, table), x, sort),
            (None, Tab::Listeners) => of(table, &views::listeners::shown(self, table), x, sort),
            (None, Tab::Remotes) => of(table, &views::remotes::shown(self, table), x, sort),
            (None, Tab::Unix) => of(table, &views::unix::shown(self, table), x, sort),
        }
    }

    /// The overview table's sort as the tab bar shows it: `trouble ▼`,
    /// `CLOSE-WAIT ▼`, `LOCAL ▲`.
    pub fn sort_label(&self) -> String {
        fn label<C: columns::Columns>(sort: super::nav::Sort) -> String {
            format!(
                "{} {}",
                columns::sort_name::<C>(sort),
                columns::arrow::<C>(sort)
            )
        }
        let sort = self.navs[self.tab as usize].sort;
        match self.tab {
            Tab::Listeners => label::<views::listeners::ListenerCol>(sort),
            Tab::Remotes => label::<views::remotes::RemoteCol>(sort),
            Tab::Unix => label::<views::unix::UnixCol>(sort),
        }
    }
}

/// The row marker of an alert severity: `‼` critical, `!` warning, `i` info.
pub fn marker(severity: Severity) -> &'static str {
    severity.marker()
}
