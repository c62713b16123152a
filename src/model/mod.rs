//! The pure model: [`Snapshot`] in, aggregates out. No I/O and no clock
//! reads here; time arrives inside the snapshot.

pub mod advisor;
pub mod aggregate;
pub mod alerts;
pub mod drop_rates;
pub mod endpoint;
pub mod engine;
pub mod fixtures;
pub mod history;
pub mod kernel_ages;
pub mod keys;
pub mod netns_parts;
pub mod owner_list;
pub mod process;
pub mod process_sockets;
pub mod rates;
pub mod reuse;
pub mod round;
pub mod series;
pub mod shared;
pub mod snapshot;
pub mod socket_owners;
pub mod states;
pub mod tcp_list;
pub mod tiers;
pub mod tracker;
mod validate;

#[cfg(test)]
mod aggregate_tests;
#[cfg(test)]
mod history_tests;

pub use aggregate::{Aggregate, Listener, Member, REMOTE_PROCESSES, Remote, trouble_first};
pub use alerts::{Alert, AlertSet, Rule, Severity, Target, TargetKind, Thresholds};
pub use endpoint::Endpoint;
pub use engine::{Model, ModelLimits};
pub use history::{Frame, History};
pub use kernel_ages::{AgeSource, SocketAge, TcpTimes};
pub use keys::{ListenerKey, RemoteKey, UnixKey};
pub use netns_parts::NetnsPart;
pub use owner_list::{Owner, OwnerList};
pub use process::{ProcessInfo, ProcessTable, SocketOwners, SocketProcesses};
pub use process_sockets::ProcessSockets;
pub use reuse::LastFrame;
pub use round::{Part, Round, Unreachable};
pub use series::{ListenerPoint, ListenerSeries, ListenerTrack};
pub use shared::Shared;
pub use snapshot::{
    CollectorStats, Snapshot, TcpSocket, TcpState, Timer, UnixKind, UnixListener, UnixPeer,
};
pub use states::StateCounts;
pub use tcp_list::TcpList;
pub use tiers::{Needs, Sockstat, StatesTier, Tiers};
pub use tracker::Tracker;
