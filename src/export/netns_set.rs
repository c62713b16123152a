//! The JSON document of `snapshot --all-netns` (`sockscope.netns-set.v1`):
//! one `sockscope.snapshot.v1` document per collected namespace, and the
//! namespaces that could not be collected with the reason.

use serde::{Deserialize, Serialize};

use super::json::SnapshotDoc;
use crate::collector::all_netns::NetnsRound;
use crate::model::Aggregate;

/// Value of the `schema` field.
pub const SCHEMA: &str = "sockscope.netns-set.v1";

/// A namespace that was not collected (`unreachable[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreachableDoc {
    /// Its label.
    pub netns: String,
    /// The nsfs path tried (empty when unknown).
    pub path: String,
    /// Why it was not collected.
    pub reason: String,
}

/// The whole document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetnsSetDoc {
    /// [`SCHEMA`].
    pub schema: String,
    /// One snapshot document per collected namespace, in discovery order
    /// (`/run/netns` names first, then namespaces of processes by pid).
    pub namespaces: Vec<SnapshotDoc>,
    /// Namespaces found but not collected.
    pub unreachable: Vec<UnreachableDoc>,
}

impl NetnsSetDoc {
    /// The document of one round.
    pub fn new(round: &NetnsRound) -> NetnsSetDoc {
        let mut namespaces = Vec::new();
        let mut unreachable: Vec<UnreachableDoc> = Vec::new();
        for ns in &round.namespaces {
            match (&ns.snapshot, &ns.error) {
                (Some(snap), None) => {
                    namespaces.push(SnapshotDoc::new(snap, &Aggregate::build(snap)))
                }
                (_, error) => unreachable.push(UnreachableDoc {
                    netns: ns.label.clone(),
                    path: String::new(),
                    reason: error.clone().unwrap_or_else(|| "no sample".to_owned()),
                }),
            }
        }
        unreachable.extend(round.unreachable.iter().map(|u| UnreachableDoc {
            netns: u.label.clone(),
            path: u.path.display().to_string(),
            reason: u.reason.clone(),
        }));
        NetnsSetDoc {
            schema: SCHEMA.to_owned(),
            namespaces,
            unreachable,
        }
    }
}
