//! One collection round over every watched namespace: the one form in which
//! samples travel from the collector to the model, the dashboard, `snapshot`,
//! `serve` and recordings.
//!
//! A round holds each namespace's own sample ([`Part::sample`]); one
//! namespace (the default, `--netns`) is a round of one part. The payload is
//! what the stage has made of the sample: the collector's [`Snapshot`], then,
//! after [`Round::aggregate`], a [`Frame`] with that namespace's aggregate,
//! built exactly once. The merged view of `--all-netns` is derived from the
//! parts' frames by the model ([`Model::ingest_round`](super::Model::ingest_round)).

use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::history::Frame;
use super::snapshot::Snapshot;

/// One round: every namespace's sample of this collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Round<T = Snapshot> {
    /// When the round started.
    pub taken_at: Timestamp,
    /// `kernel.hostname` of the collecting host.
    pub hostname: String,
    /// Whether this is a round over every namespace (`--all-netns`): its
    /// view has a namespace column even when only one namespace was found.
    pub all: bool,
    /// The namespaces, in discovery order (`/run/netns` names first, then
    /// namespaces of processes by lowest pid).
    pub parts: Vec<Part<T>>,
    /// Namespaces found that could not be entered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<Unreachable>,
}

/// One namespace of a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part<T = Snapshot> {
    /// Its label (`host`, a `/run/netns` name, a container, a process).
    pub label: String,
    /// The container behind it, runtime and short id (`docker:4f1c2b3a9d8e`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Namespace inode (the `[N]` of `net:[N]`; 0 when unknown).
    pub inode: u64,
    /// What this round collected there; `None` when it gave nothing this
    /// round (then [`Part::error`] says why, and a consumer that keeps
    /// history shows its previous sample).
    pub sample: Option<T>,
    /// Why this round brought no sample (namespace gone, a slow answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A namespace that was found but cannot be collected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreachable {
    /// Its label.
    pub label: String,
    /// The nsfs path tried.
    pub path: PathBuf,
    /// Why, in plain words.
    pub reason: String,
}

impl Round {
    /// The round of one namespace: `snapshot` alone, labelled as it says.
    pub fn one(snapshot: Snapshot) -> Round {
        Round {
            taken_at: snapshot.taken_at,
            hostname: snapshot.hostname.clone(),
            all: false,
            parts: vec![Part {
                label: snapshot.netns.clone(),
                id: snapshot.netns_id.clone(),
                inode: 0,
                sample: Some(snapshot),
                error: None,
            }],
            unreachable: Vec::new(),
        }
    }

    /// Builds each namespace's frame: its aggregate, the one of this round.
    pub fn aggregate(self) -> Round<Frame> {
        self.map(Frame::new)
    }
}

impl<T> Round<T> {
    /// The same round with each sample turned into `f(sample)`.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Round<U> {
        Round {
            taken_at: self.taken_at,
            hostname: self.hostname,
            all: self.all,
            parts: self
                .parts
                .into_iter()
                .map(|p| Part {
                    label: p.label,
                    id: p.id,
                    inode: p.inode,
                    sample: p.sample.map(&mut f),
                    error: p.error,
                })
                .collect(),
            unreachable: self.unreachable,
        }
    }

    /// The namespace label this round is shown under: the one namespace's
    /// own, `all` for a round over every namespace.
    pub fn label(&self) -> &str {
        match (self.all, self.parts.first()) {
            (false, Some(p)) => &p.label,
            _ => "all",
        }
    }

    /// The samples of the parts that brought one this round.
    pub fn samples(&self) -> impl Iterator<Item = &T> {
        self.parts.iter().filter_map(|p| p.sample.as_ref())
    }
}
