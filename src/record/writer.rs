//! Appending samples to a new recording.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use super::{MAGIC, RecordError, RecordingHeader, SCHEMA_VERSION};
use crate::model::Round;

/// An open recording being written.
pub struct Recorder {
    file: File,
    path: PathBuf,
    samples: usize,
    bytes: u64,
}

/// Encodes one sample frame (one round): length, crc32, timestamp,
/// compressed payload.
pub fn encode_sample(round: &Round) -> Result<Vec<u8>, RecordError> {
    let packed = rmp_serde::to_vec_named(round).map_err(|e| RecordError::Encode(e.to_string()))?;
    frame(round.taken_at, &lz4_flex::compress_prepend_size(&packed))
}

/// Frames an encoded `payload` taken at `taken_at`.
pub(super) fn frame(taken_at: jiff::Timestamp, payload: &[u8]) -> Result<Vec<u8>, RecordError> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|&l| l <= super::MAX_SAMPLE_LEN)
        .ok_or_else(|| {
            RecordError::Encode(format!("sample of {} bytes is too large", payload.len()))
        })?;
    let ts = i64::try_from(taken_at.as_nanosecond())
        .map_err(|_| RecordError::Encode(format!("timestamp {taken_at} is out of range")))?
        .to_le_bytes();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&ts);
    crc.update(payload);
    let mut frame = Vec::with_capacity(payload.len() + 16);
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&crc.finalize().to_le_bytes());
    frame.extend_from_slice(&ts);
    frame.extend_from_slice(payload);
    Ok(frame)
}

/// Encodes the file header.
pub fn encode_header(header: &RecordingHeader) -> Vec<u8> {
    encode_header_of(header, SCHEMA_VERSION)
}

/// Encodes the file header of schema `version` (tests write older files).
pub(super) fn encode_header_of(header: &RecordingHeader, version: u16) -> Vec<u8> {
    let json = serde_json::to_vec(header).expect("the header serializes to JSON");
    let mut out = Vec::with_capacity(json.len() + 18);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&json).to_le_bytes());
    out.extend_from_slice(&json);
    out
}

impl Recorder {
    /// Creates `path` (refusing to overwrite an existing file) and writes the header.
    pub fn create(path: &Path, header: &RecordingHeader) -> Result<Recorder, RecordError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| match source.kind() {
                io::ErrorKind::AlreadyExists => RecordError::Exists(path.to_owned()),
                _ => RecordError::Io {
                    path: path.to_owned(),
                    source,
                },
            })?;
        let mut rec = Recorder {
            file,
            path: path.to_owned(),
            samples: 0,
            bytes: 0,
        };
        rec.write(&encode_header(header))?;
        Ok(rec)
    }

    /// Writes `bytes` whole or not at all: after a failed write (a full
    /// disk) the partial tail is cut off again, so the file ends with its
    /// last whole sample and the summary's byte count is the file's size.
    fn write(&mut self, bytes: &[u8]) -> Result<(), RecordError> {
        if let Err(source) = self.file.write_all(bytes) {
            let _ = self.file.set_len(self.bytes);
            let _ = self.file.seek(io::SeekFrom::Start(self.bytes));
            return Err(RecordError::Io {
                path: self.path.clone(),
                source,
            });
        }
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Appends one sample (a round) in a single write.
    pub fn append(&mut self, round: &Round) -> Result<(), RecordError> {
        let frame = encode_sample(round)?;
        self.write(&frame)?;
        self.samples += 1;
        Ok(())
    }

    /// Samples written so far.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// Bytes written so far, header included.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}
