//! Closing stuck connections from the drill-down: `k` destroys the selected
//! connection, `K` the listener's CLOSE_WAIT sockets older than a chosen
//! age. Both ask first; only the sockets named in the question are touched
//! (each by address pair and cookie), and `--read-only` refuses at once.

use std::net::SocketAddr;
use std::time::Duration;

use super::app::{Action, App, Effect, Status};
use super::keys::Command;
use crate::collector::destroy::DestroyTarget;
use crate::model::{Frame, TcpState, Tracker};

/// The ages `K` offers: (key, label, minimum age).
pub const AGES: [(char, &str, Duration); 4] = [
    ('1', "10s", Duration::from_secs(10)),
    ('2', "1m", Duration::from_secs(60)),
    ('3', "10m", Duration::from_secs(600)),
    ('4', "1h", Duration::from_secs(3600)),
];

/// A question on screen, waiting for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// `K`: which minimum age? (`1`..`4`, Esc cancels).
    ChooseAge {
        /// Index of the listener in the shown frame.
        listener: usize,
        /// Its address, for the question.
        local: SocketAddr,
    },
    /// Destroy these sockets? (`y` destroys, anything else cancels).
    Destroy {
        /// Exactly the sockets to destroy.
        targets: Vec<DestroyTarget>,
        /// What they are, in words.
        what: String,
    },
}

impl Confirm {
    /// The question as the confirmation line shows it.
    pub fn prompt(&self) -> String {
        match self {
            Confirm::ChooseAge { local, .. } => {
                let ages: Vec<String> = AGES
                    .iter()
                    .map(|(k, label, _)| format!("{k}:{label}"))
                    .collect();
                format!(
                    "destroy CLOSE_WAIT of {local} older than? {}  Esc: cancel",
                    ages.join(" ")
                )
            }
            Confirm::Destroy { what, .. } => format!("destroy {what}?  y: yes   n/Esc: no"),
        }
    }
}

/// The `k` question for connection `i` of the frame's sockets.
pub fn one(frame: &Frame, i: usize) -> Confirm {
    let s = &frame.snapshot.tcp[i];
    Confirm::Destroy {
        targets: vec![DestroyTarget::in_snapshot(&frame.snapshot, i)],
        what: format!(
            "{} connection {} -> {}",
            s.state.ss_name(),
            s.local,
            s.remote
        ),
    }
}

/// The CLOSE_WAIT sockets of listener `listener` at least `min_age` old at
/// the frame's time (kernel-proven or watched, see [`Tracker::age_of`]).
pub fn close_waits_older_than(
    frame: &Frame,
    tracker: &Tracker,
    listener: usize,
    min_age: Duration,
) -> Vec<DestroyTarget> {
    let min_ms = min_age.as_millis().min(u128::from(u64::MAX)) as u64;
    frame
        .agg
        .connections_of(listener)
        .filter(|&i| frame.snapshot.tcp[i].state == TcpState::CloseWait)
        .filter(|&i| {
            tracker
                .age_of(&frame.snapshot, &frame.snapshot.tcp[i])
                .is_some_and(|age| age.ms >= min_ms)
        })
        .map(|i| DestroyTarget::in_snapshot(&frame.snapshot, i))
        .collect()
}

/// The `K` question once the age is chosen; `None` when no socket qualifies.
pub fn many(
    frame: &Frame,
    tracker: &Tracker,
    listener: usize,
    age: (&str, Duration),
) -> Option<Confirm> {
    let targets = close_waits_older_than(frame, tracker, listener, age.1);
    (!targets.is_empty()).then(|| Confirm::Destroy {
        what: format!(
            "{} CLOSE_WAIT socket{} of {} older than {}",
            targets.len(),
            if targets.len() == 1 { "" } else { "s" },
            frame.agg.listeners[listener].local,
            age.0
        ),
        targets,
    })
}

impl App {
    /// `k`: ask whether to destroy the selected connection of the drill-down.
    pub(super) fn ask_kill(&mut self) {
        if self.refuse_read_only() {
            return;
        }
        let Some(i) = self.drill.as_ref().and_then(|d| d.nav.selected_row()) else {
            self.status = Some(Status::Error(
                "select a connection in the drill-down first".to_owned(),
            ));
            return;
        };
        if let Some(frame) = self.shown() {
            self.confirm = Some(one(frame, i as usize));
        }
    }

    /// `K`: ask for the minimum age of the CLOSE_WAIT sockets to destroy.
    pub(super) fn ask_kill_close_wait(&mut self) {
        if self.refuse_read_only() {
            return;
        }
        let Some(drill) = &self.drill else { return };
        if drill.target.listener().is_none() {
            let keys = &self.settings.keys;
            self.status = Some(Status::Info(format!(
                "{} destroys a listener's old CLOSE_WAITs; here select a connection and press {}",
                keys.label(Command::DestroyCloseWait, "/"),
                keys.label(Command::Destroy, "/")
            )));
            return;
        }
        let (Some(frame), Some(listener)) = (self.shown(), drill.index) else {
            return;
        };
        if frame.agg.listeners[listener].states[TcpState::CloseWait] == 0 {
            self.status = Some(Status::Info(
                "this listener has no CLOSE_WAIT sockets".to_owned(),
            ));
            return;
        }
        let local = frame.agg.listeners[listener].local;
        self.confirm = Some(Confirm::ChooseAge { listener, local });
    }

    fn refuse_read_only(&mut self) -> bool {
        if self.settings.read_only {
            self.status = Some(Status::Error(
                "destroying sockets is disabled (--read-only)".to_owned(),
            ));
        }
        self.settings.read_only
    }

    /// The key pressed while a question is on screen.
    pub(super) fn answer(&mut self, action: Action) -> Effect {
        match (self.confirm.take(), action) {
            (Some(Confirm::Destroy { targets, .. }), Action::ConfirmYes) => {
                return Effect::Destroy(targets);
            }
            (Some(Confirm::ChooseAge { listener, .. }), Action::ChooseAge(n)) => {
                let Some(&(_, label, age)) = AGES.get(n) else {
                    return Effect::None;
                };
                let Some(frame) = self.shown() else {
                    return Effect::None;
                };
                match many(frame, &self.model.tracker, listener, (label, age)) {
                    Some(q) => self.confirm = Some(q),
                    None => {
                        self.status = Some(Status::Info(format!(
                            "no CLOSE_WAIT socket of this listener is older than {label}"
                        )))
                    }
                }
            }
            _ => self.status = Some(Status::Info("nothing destroyed".to_owned())),
        }
        Effect::None
    }

    /// Records what the collector answered to [`Effect::Destroy`].
    pub fn destroyed(&mut self, result: Result<String, String>) {
        self.status = Some(match result {
            Ok(s) => Status::Info(s),
            Err(e) => Status::Error(e),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{listen, snapshot, sock};
    use crate::model::{Frame, Tracker};

    #[test]
    fn only_close_waits_of_the_listener_old_enough_are_offered() {
        let cw = |port: u16, cookie| {
            sock(
                TcpState::CloseWait,
                "10.0.0.1:80",
                &format!("10.0.0.9:{port}"),
                cookie,
            )
        };
        let first = snapshot(
            "2026-11-24T02:40:00Z",
            vec![listen("0.0.0.0:80", 0, 128, 1), cw(5000, 10)],
        );
        let later = snapshot(
            "2026-11-24T02:41:30Z",
            vec![
                listen("0.0.0.0:80", 0, 128, 1),
                cw(5000, 10),
                cw(5001, 11),
                sock(TcpState::Established, "10.0.0.1:80", "10.0.0.9:5002", 12),
                sock(TcpState::CloseWait, "10.0.0.1:9000", "10.0.0.9:5003", 13),
            ],
        );
        let mut tracker = Tracker::default();
        tracker.update(&first);
        tracker.update(&later);
        let frame = Frame::new(later);
        let old = close_waits_older_than(&frame, &tracker, 0, Duration::from_secs(60));
        assert_eq!(old.len(), 1);
        assert_eq!((old[0].cookie, old[0].remote.port()), (10, 5000));
        let all = close_waits_older_than(&frame, &tracker, 0, Duration::ZERO);
        assert_eq!(
            all.iter().map(|t| t.cookie).collect::<Vec<_>>(),
            vec![10, 11]
        );
        let q = many(&frame, &tracker, 0, ("1m", Duration::from_secs(60))).unwrap();
        assert_eq!(
            q.prompt(),
            "destroy 1 CLOSE_WAIT socket of 0.0.0.0:80 older than 1m?  y: yes   n/Esc: no"
        );
        assert_eq!(
            many(&frame, &tracker, 0, ("1h", Duration::from_secs(3600))),
            None
        );
    }
}
