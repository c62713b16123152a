//! Checks a [`Snapshot`] or [`Round`] that came from outside the collector (a recording)
//! before anything in the model indexes into it: every index and count that
//! points into another list of the snapshot must stay inside that list.

use super::round::Round;
use super::snapshot::Snapshot;

impl Round {
    /// Checks a round read from a recording: one namespace has exactly one
    /// part, with a sample; every sample is a namespace's own (no namespace
    /// parts inside) and passes [`Snapshot::validate`].
    pub fn validate(&self) -> Result<(), String> {
        if !self.all && (self.parts.len() != 1 || self.parts[0].sample.is_none()) {
            return Err(format!(
                "a round of one namespace holds {} parts, {} with a sample",
                self.parts.len(),
                self.samples().count()
            ));
        }
        for p in &self.parts {
            let Some(s) = &p.sample else { continue };
            if !s.netns_parts.is_empty() {
                return Err(format!(
                    "the sample of namespace {:?} holds {} namespace parts of its own",
                    p.label,
                    s.netns_parts.len()
                ));
            }
            s.validate().map_err(|e| match self.all {
                true => format!("namespace {:?}: {e}", p.label),
                false => e,
            })?;
        }
        Ok(())
    }
}

impl Snapshot {
    /// Checks the snapshot's internal references: process indices inside
    /// [`ProcessTable::list`](super::ProcessTable::list), the socket lookup
    /// table sorted by inode, and namespace parts that add up to the socket
    /// and UNIX-listener lists. The error says which entry is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let table = &self.processes;
        let procs = table.list.len();
        let mut last = None;
        for (i, (inode, processes)) in table.sockets.iter().enumerate() {
            if last.is_some_and(|l| l >= inode) {
                return Err(format!(
                    "processes.sockets[{i}] (inode {inode}) is out of inode order"
                ));
            }
            last = Some(inode);
            if let Some(&p) = processes.iter().find(|&&p| p as usize >= procs) {
                return Err(format!(
                    "processes.sockets[{i}] (inode {inode}) names process {p} of a {procs}-entry process list"
                ));
            }
        }
        let parts = &self.netns_parts;
        if !parts.is_empty() {
            let tcp: u64 = parts.iter().map(|p| u64::from(p.tcp)).sum();
            let unix: u64 = parts.iter().map(|p| u64::from(p.unix)).sum();
            if tcp != self.tcp.len() as u64 || unix != self.unix_listeners.len() as u64 {
                return Err(format!(
                    "its {} namespace parts hold {tcp} TCP sockets and {unix} UNIX listeners, but the sample has {} and {}",
                    parts.len(),
                    self.tcp.len(),
                    self.unix_listeners.len()
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::fixtures;
    use crate::model::{NetnsPart, ProcessInfo, SocketProcesses};

    fn with_owner(process: u32) -> crate::model::Snapshot {
        let mut s = fixtures::snapshot(
            "2026-11-24T02:40:00Z",
            vec![fixtures::listen("127.0.0.1:80", 0, 128, 7)],
        );
        s.processes.enabled = true;
        s.processes.list.push(ProcessInfo {
            pid: 1,
            comm: "init".to_owned(),
            cmdline: String::new(),
            uid: 0,
            user: "root".to_owned(),
        });
        s.processes.sockets = vec![SocketProcesses {
            inode: 7,
            processes: vec![process],
        }]
        .into();
        s
    }

    #[test]
    fn process_index_must_be_in_the_list() {
        assert_eq!(with_owner(0).validate(), Ok(()));
        assert_eq!(
            with_owner(5).validate().unwrap_err(),
            "processes.sockets[0] (inode 7) names process 5 of a 1-entry process list"
        );
    }

    #[test]
    fn socket_table_must_be_sorted() {
        let mut s = with_owner(0);
        let entry = |(inode, processes): (u32, &[u32])| SocketProcesses {
            inode,
            processes: processes.to_vec(),
        };
        let again: Vec<SocketProcesses> = s.processes.sockets.iter().map(entry).collect();
        s.processes.sockets = again.iter().chain(&again).cloned().collect();
        assert_eq!(
            s.validate().unwrap_err(),
            "processes.sockets[1] (inode 7) is out of inode order"
        );
    }

    #[test]
    fn parts_must_add_up() {
        let mut s = with_owner(0);
        s.netns_parts.push(NetnsPart {
            label: "a".to_owned(),
            id: None,
            inode: 1,
            tcp: 2,
            unix: 0,
            error: None,
            counters: Default::default(),
            tunables: Default::default(),
        });
        assert_eq!(
            s.validate().unwrap_err(),
            "its 1 namespace parts hold 2 TCP sockets and 0 UNIX listeners, but the sample has 1 and 0"
        );
        s.netns_parts[0].tcp = 1;
        assert_eq!(s.validate(), Ok(()));
    }
}
