//! One reusable `NETLINK_SOCK_DIAG` socket and its dump loop.

use std::io;

use netlink_packet_core::{
    NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NetlinkBuffer,
    NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_sock_diag::{SockDiagDestroy, SockDiagMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_SOCK_DIAG};

use super::CollectError;

/// Receive buffer size. The kernel fills each dump batch up to about 32 KiB
/// (`netlink_recvmsg` caps `max_recvmsg_len` there); 64 KiB never truncates.
const RECV_BUF: usize = 64 * 1024;

/// Requests per batch of [`DiagSocket::each`]: 64 answers with `tcp_info`
/// are about 26 KiB, well inside the default receive buffer.
pub const EXACT_BATCH: usize = 64;

/// Counts from one dump.
#[derive(Debug, Default, Clone, Copy)]
pub struct DumpStats {
    /// Messages handed to the callback.
    pub messages: u64,
    /// Messages the callback rejected as malformed.
    pub skipped: u64,
    /// The kernel set `NLM_F_DUMP_INTR`: the table changed during the dump.
    pub interrupted: bool,
}

/// A `NETLINK_SOCK_DIAG` socket with a reused receive buffer. It stays
/// bound to the network namespace of the thread that opened it.
pub struct DiagSocket {
    socket: Socket,
    buf: Vec<u8>,
    seq: u32,
}

impl DiagSocket {
    /// Opens and connects the socket to the kernel.
    pub fn open() -> Result<DiagSocket, CollectError> {
        let mut socket = Socket::new(NETLINK_SOCK_DIAG).map_err(CollectError::Open)?;
        socket.bind_auto().map_err(CollectError::Open)?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(CollectError::Open)?;
        Ok(DiagSocket {
            socket,
            buf: vec![0; RECV_BUF],
            seq: 0,
        })
    }

    /// Sends `request` as a dump and hands each answer's payload to
    /// `on_message`, which returns `false` for a message it could not parse.
    pub fn dump(
        &mut self,
        what: &'static str,
        request: SockDiagMessage,
        mut on_message: impl FnMut(&[u8]) -> bool,
    ) -> Result<DumpStats, CollectError> {
        self.seq = self.seq.wrapping_add(1);
        let mut out = Vec::new();
        append(&mut out, NLM_F_REQUEST | NLM_F_DUMP, self.seq, request);
        self.socket
            .send(&out, 0)
            .map_err(|e| CollectError::Io { what, error: e })?;

        let mut stats = DumpStats::default();
        loop {
            let n = self.recv(what)?;
            for msg in messages(&self.buf[..n]) {
                let Some(msg) = msg else {
                    stats.skipped += 1;
                    break;
                };
                if msg.sequence_number() == self.seq {
                    if msg.flags() & NLM_F_DUMP_INTR != 0 {
                        stats.interrupted = true;
                    }
                    match msg.message_type() {
                        NLMSG_DONE => return Ok(stats),
                        NLMSG_ERROR => return Err(kernel_error(what, msg.payload())),
                        _ => {
                            stats.messages += 1;
                            if !on_message(msg.payload()) {
                                stats.skipped += 1;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Sends each of `requests` as a request for one socket (no dump) and
    /// hands each answer's payload to `on_message`. Requests go out in
    /// batches of [`EXACT_BATCH`] in one `send`, so the answers of a batch
    /// fit the socket's receive buffer. A socket the kernel no longer has
    /// (or whose cookie changed) answers with an error, which is passed
    /// over: it went away between the dump and the request.
    pub fn each(
        &mut self,
        what: &'static str,
        requests: &[SockDiagMessage],
        mut on_message: impl FnMut(&[u8]) -> bool,
    ) -> Result<DumpStats, CollectError> {
        let mut stats = DumpStats::default();
        for batch in requests.chunks(EXACT_BATCH) {
            let first = self.seq.wrapping_add(1);
            let mut out = Vec::new();
            for request in batch {
                self.seq = self.seq.wrapping_add(1);
                append(&mut out, NLM_F_REQUEST, self.seq, request.clone());
            }
            self.socket
                .send(&out, 0)
                .map_err(|e| CollectError::Io { what, error: e })?;
            let mut answered = 0;
            while answered < batch.len() {
                let n = self.recv(what)?;
                for msg in messages(&self.buf[..n]) {
                    let Some(msg) = msg else {
                        stats.skipped += 1;
                        break;
                    };
                    if msg.sequence_number().wrapping_sub(first) < batch.len() as u32 {
                        answered += 1;
                        stats.messages += 1;
                        let ok = msg.message_type() == NLMSG_ERROR || on_message(msg.payload());
                        if !ok {
                            stats.skipped += 1;
                        }
                    }
                }
            }
        }
        Ok(stats)
    }

    /// Sends one `SOCK_DESTROY` request for the socket `request` names
    /// exactly and waits for the kernel's acknowledgement. The error is the
    /// errno the kernel answered with, or the socket's own I/O error.
    pub fn destroy(&mut self, request: SockDiagMessage) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_ACK;
        header.sequence_number = self.seq;
        let mut msg =
            NetlinkMessage::new(header, NetlinkPayload::from(SockDiagDestroy::new(request)));
        msg.finalize();
        let mut out = vec![0; msg.buffer_len()];
        msg.serialize(&mut out);
        self.socket.send(&out, 0)?;
        loop {
            let n = self
                .recv("destroy")
                .map_err(|e| io::Error::other(e.to_string()))?;
            let mut offset = 0;
            while offset < n {
                let Ok(msg) = NetlinkBuffer::new_checked(&self.buf[offset..n]) else {
                    break;
                };
                let len = msg.length() as usize;
                if msg.sequence_number() == self.seq && msg.message_type() == NLMSG_ERROR {
                    let errno = msg
                        .payload()
                        .get(..4)
                        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                        .unwrap_or(0);
                    return if errno == 0 {
                        Ok(())
                    } else {
                        Err(io::Error::from_raw_os_error(-errno))
                    };
                }
                offset += (len + 3) & !3;
            }
        }
    }

    fn recv(&mut self, what: &'static str) -> Result<usize, CollectError> {
        loop {
            match self.socket.recv(&mut &mut self.buf[..], 0) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CollectError::Io { what, error: e }),
            }
        }
    }
}

/// Serializes `request` as one netlink message with `flags` and `seq` at
/// the end of `out`.
fn append(out: &mut Vec<u8>, flags: u16, seq: u32, request: SockDiagMessage) {
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    header.sequence_number = seq;
    let mut msg = NetlinkMessage::new(header, NetlinkPayload::from(request));
    msg.finalize();
    let at = out.len();
    out.resize(at + msg.buffer_len(), 0);
    msg.serialize(&mut out[at..]);
}

/// The netlink messages of one received buffer, each `None` when
/// malformed (the rest of the buffer cannot be framed then).
fn messages(buf: &[u8]) -> impl Iterator<Item = Option<NetlinkBuffer<&[u8]>>> {
    let mut offset = 0;
    let mut broken = false;
    std::iter::from_fn(move || {
        if broken || offset >= buf.len() {
            return None;
        }
        match NetlinkBuffer::new_checked(&buf[offset..]) {
            Ok(msg) => {
                offset += (msg.length() as usize + 3) & !3;
                Some(Some(msg))
            }
            Err(_) => {
                broken = true;
                Some(None)
            }
        }
    })
}

/// Reads the negative errno of an `NLMSG_ERROR` payload (`struct nlmsgerr`).
fn kernel_error(what: &'static str, payload: &[u8]) -> CollectError {
    let errno = payload
        .get(..4)
        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(0);
    CollectError::Kernel {
        what,
        error: io::Error::from_raw_os_error(-errno),
    }
}
