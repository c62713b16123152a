//! Replaying a recording as a [`Source`]: samples come out in order, paced
//! by their recorded timestamps divided by the playback speed, and held back
//! while playback is paused. The dashboard steers speed and pause through a
//! shared [`Playback`].

use std::io::{Read, Seek};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;

use super::Recording;
use crate::collector::{CollectError, RoundSource};
use crate::model::Round;

/// Slowest and fastest playback, times real time.
pub const SPEEDS: (f64, f64) = (0.25, 64.0);

/// How often a waiting replay looks at speed and pause again.
const POLL: Duration = Duration::from_millis(50);

#[derive(Debug)]
struct Shared {
    speed_bits: AtomicU64,
    paused: AtomicBool,
}

/// Speed and pause of a replay, shared between the dashboard and the source.
#[derive(Clone, Debug)]
pub struct Playback(Arc<Shared>);

impl Playback {
    /// Playback at `speed` times real time (clamped to [`SPEEDS`]), running.
    pub fn new(speed: f64) -> Playback {
        let p = Playback(Arc::new(Shared {
            speed_bits: AtomicU64::new(1.0f64.to_bits()),
            paused: AtomicBool::new(false),
        }));
        p.set_speed(speed);
        p
    }

    /// Sets the speed factor, clamped to [`SPEEDS`].
    pub fn set_speed(&self, speed: f64) {
        let speed = speed.clamp(SPEEDS.0, SPEEDS.1);
        self.0.speed_bits.store(speed.to_bits(), Ordering::Relaxed);
    }

    /// The speed factor.
    pub fn speed(&self) -> f64 {
        f64::from_bits(self.0.speed_bits.load(Ordering::Relaxed))
    }

    /// Holds samples back (`true`) or lets them flow.
    pub fn set_paused(&self, paused: bool) {
        self.0.paused.store(paused, Ordering::Relaxed);
    }

    /// Whether playback is paused.
    pub fn paused(&self) -> bool {
        self.0.paused.load(Ordering::Relaxed)
    }

    /// Waits `gap` of recorded time at the current speed, not counting time
    /// spent paused; speed changes apply from the next poll.
    fn wait(&self, gap: Duration) {
        let mut left = gap.as_secs_f64();
        while left > 0.0 {
            if self.paused() {
                std::thread::sleep(POLL);
                continue;
            }
            let speed = self.speed();
            let wall = (left / speed).min(POLL.as_secs_f64());
            std::thread::sleep(Duration::from_secs_f64(wall));
            left -= wall * speed;
        }
        while self.paused() {
            std::thread::sleep(POLL);
        }
    }
}

/// The samples of a recording, one per `collect`, paced by a [`Playback`].
pub struct RecordingSource<R> {
    recording: Recording<R>,
    next: usize,
    last: Option<Timestamp>,
    playback: Playback,
}

impl<R: Read + Seek> RecordingSource<R> {
    /// Plays `recording` from its first sample.
    pub fn new(recording: Recording<R>, playback: Playback) -> RecordingSource<R> {
        RecordingSource {
            recording,
            next: 0,
            last: None,
            playback,
        }
    }
}

impl<R: Read + Seek + Send> RoundSource for RecordingSource<R> {
    /// The next sample, after its recorded gap to the previous one (divided
    /// by the speed); [`CollectError::Exhausted`] after the last whole sample.
    fn round(&mut self) -> Result<Round, CollectError> {
        let Some(sample) = self.recording.samples().get(self.next).copied() else {
            return Err(CollectError::Exhausted);
        };
        if let Some(last) = self.last {
            let gap = sample.taken_at.duration_since(last);
            self.playback
                .wait(Duration::try_from(gap).unwrap_or(Duration::ZERO));
        }
        let round = self
            .recording
            .read(self.next)
            .map_err(|e| CollectError::Replay(e.to_string()))?;
        self.next += 1;
        self.last = Some(sample.taken_at);
        Ok(round)
    }
}
