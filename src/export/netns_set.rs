//! The JSON document of `snapshot --all-netns` (`sockscope.netns-set.v1`):
//! one `sockscope.snapshot.v1` document per collected namespace, and the
//! namespaces that could not be collected with the reason.

use serde::{Deserialize, Serialize};

use super::json::SnapshotDoc;
use crate::model::Round;

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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The document of one round: `docs` holds each namespace's document
    /// (`None` for one without a sample), in `round.parts` order.
    pub fn new<T>(round: &Round<T>, docs: Vec<Option<SnapshotDoc>>) -> NetnsSetDoc {
        let mut namespaces = Vec::new();
        let mut unreachable: Vec<UnreachableDoc> = Vec::new();
        for (ns, doc) in round.parts.iter().zip(docs) {
            match doc {
                Some(doc) => namespaces.push(doc),
                None => unreachable.push(UnreachableDoc {
                    netns: ns.label.clone(),
                    path: String::new(),
                    reason: ns.error.clone().unwrap_or_else(|| "no sample".to_owned()),
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
