//! Recordings: a file of snapshots for replay and after-the-fact review.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header  magic "SSCOPREC" (8 bytes) | schema version u16 | length u32 | crc32 u32 | JSON RecordingHeader
//! sample  length u32 | crc32 u32 | taken_at ns since the epoch i64 | payload
//! ```
//!
//! A sample's payload is one [`Round`](crate::model::Round) (every watched
//! namespace's snapshot) encoded as MessagePack with field names
//! (self-describing, so fields added later read back as their serde
//! defaults), compressed with LZ4. Schema 1 files hold one
//! [`Snapshot`](crate::model::Snapshot) per sample instead (under
//! `--all-netns`, the namespaces merged into one with `netns_parts`); they
//! are read back as rounds (see `legacy.rs`).
//! The sample's crc32 covers the timestamp and the payload. Samples are only
//! ever appended, each in one write, so a recording cut off by a kill or a
//! full disk reads back up to its last whole sample.

mod at;
mod legacy;
mod playback;
mod reader;
mod writer;

pub use at::At;
pub use playback::{Playback, RecordingSource, SPEEDS};
pub use reader::{Recording, SampleRef, StopReason, Stopped};
pub use writer::Recorder;

use std::path::PathBuf;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// First bytes of every recording.
pub const MAGIC: &[u8; 8] = b"SSCOPREC";

/// The schema version this build writes and the newest it reads (2: a
/// round per sample; 1: a snapshot per sample).
pub const SCHEMA_VERSION: u16 = 2;

/// Bytes before a sample's payload: length, crc32, timestamp.
pub const SAMPLE_HEADER_LEN: u64 = 16;

/// A sample larger than this is taken as corruption, not data (1 GiB).
pub const MAX_SAMPLE_LEN: u32 = 1 << 30;

/// A sample that decompresses to more than this is refused (256 MiB, about
/// 1.5 million sockets), whatever its size prefix says.
pub const MAX_DECODED_LEN: usize = 256 << 20;

/// What a recording says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingHeader {
    /// Host name of the recorded machine.
    pub hostname: String,
    /// Namespace label of the recorded network namespace.
    pub netns: String,
    /// Time between samples, milliseconds.
    pub interval_ms: u64,
    /// When recording started.
    pub started: Timestamp,
    /// Version of the sockscope that wrote the file.
    pub writer: String,
}

/// Why a recording could not be written or opened.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// An I/O error on the file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file exists; recordings are never overwritten.
    #[error("{0} already exists; choose a new file name (recordings are never overwritten)")]
    Exists(PathBuf),
    /// The file does not start with the recording magic.
    #[error("{0} is not a sockscope recording (it does not start with the SSCOPREC magic)")]
    NotARecording(PathBuf),
    /// The file was written by a newer sockscope.
    #[error(
        "{path} has recording schema version {found}, newer than the {supported} this sockscope reads; upgrade sockscope to replay it"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u16,
        /// [`SCHEMA_VERSION`].
        supported: u16,
    },
    /// The header is cut off or fails its checksum.
    #[error("{path}: the recording header is damaged ({why}); nothing can be read from it")]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A sample passed its checksum but could not be decoded.
    #[error("{path}: sample {index} at byte {offset} cannot be decoded: {why}")]
    BadSample {
        /// The file.
        path: PathBuf,
        /// Sample index, from 0.
        index: usize,
        /// Byte offset of the sample's header in the file.
        offset: u64,
        /// The decoder's message.
        why: String,
    },
    /// A round could not be encoded.
    #[error("cannot encode a sample: {0}")]
    Encode(String),
}

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;
