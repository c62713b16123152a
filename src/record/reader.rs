//! Reading a recording: the header, an index of the whole samples, and where
//! and why reading stopped when the file is cut off or damaged.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{
    MAGIC, MAX_DECODED_LEN, MAX_SAMPLE_LEN, RecordError, RecordingHeader, SAMPLE_HEADER_LEN,
    SCHEMA_VERSION,
};
use crate::model::{Round, Snapshot};

/// Where a whole sample lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleRef {
    /// Byte offset of the sample's payload.
    pub offset: u64,
    /// Payload length, bytes.
    pub len: u32,
    /// The sample's `taken_at`.
    pub taken_at: Timestamp,
}

/// Why reading stopped before the end of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The file ends inside a sample's 16-byte header.
    CutOffHeader {
        /// Bytes of the header present.
        have: u64,
    },
    /// The file ends inside a sample's payload.
    CutOffPayload {
        /// Payload bytes the header announced.
        need: u64,
        /// Payload bytes present.
        have: u64,
    },
    /// The sample's crc32 does not match its bytes.
    Checksum,
    /// The announced length is beyond any real sample.
    BadLength(u32),
    /// The timestamp is out of range.
    BadTime,
}

/// Where and why reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// Byte offset of the first sample that is not whole.
    pub offset: u64,
    /// Its index (the number of whole samples before it).
    pub index: usize,
    /// What is wrong with it.
    pub reason: StopReason,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (i, at) = (self.index, self.offset);
        match &self.reason {
            StopReason::CutOffHeader { have } => write!(
                f,
                "the file is cut off at byte {}: {have} of the {SAMPLE_HEADER_LEN} header bytes of sample {i} (byte {at}) are present (recording killed or disk full?)",
                at + have
            ),
            StopReason::CutOffPayload { need, have } => write!(
                f,
                "the file is cut off at byte {}: sample {i} (byte {at}) has {have} of its {need} bytes (recording killed or disk full?)",
                at + SAMPLE_HEADER_LEN + have
            ),
            StopReason::Checksum => write!(
                f,
                "sample {i} at byte {at} fails its checksum (the file is corrupted there)"
            ),
            StopReason::BadLength(len) => write!(
                f,
                "sample {i} at byte {at} announces {len} bytes, more than any sample (the file is corrupted there)"
            ),
            StopReason::BadTime => write!(
                f,
                "sample {i} at byte {at} has an impossible timestamp (the file is corrupted there)"
            ),
        }
    }
}

/// An opened recording: header, whole samples, and where reading stopped.
#[derive(Debug)]
pub struct Recording<R = BufReader<File>> {
    reader: R,
    path: PathBuf,
    /// What the file says about itself.
    pub header: RecordingHeader,
    /// Its schema version (1 or [`SCHEMA_VERSION`]).
    version: u16,
    samples: Vec<SampleRef>,
    stopped: Option<Stopped>,
}

impl Recording {
    /// Opens `path`, checks its header and indexes its whole samples.
    pub fn open(path: &Path) -> Result<Recording, RecordError> {
        let file = File::open(path).map_err(|source| RecordError::Io {
            path: path.to_owned(),
            source,
        })?;
        Recording::from_reader(path, BufReader::with_capacity(1 << 20, file))
    }
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl<R: Read + Seek> Recording<R> {
    /// Reads a recording from `reader`; `path` names it in messages.
    pub fn from_reader(path: &Path, mut reader: R) -> Result<Recording<R>, RecordError> {
        let path = path.to_owned();
        let io_err = |source| RecordError::Io {
            path: path.clone(),
            source,
        };
        let bad = |why: &str| RecordError::BadHeader {
            path: path.clone(),
            why: why.to_owned(),
        };
        let total = reader.seek(SeekFrom::End(0)).map_err(io_err)?;
        reader.seek(SeekFrom::Start(0)).map_err(io_err)?;

        let mut fixed = [0u8; 18];
        let got = read_up_to(&mut reader, &mut fixed).map_err(io_err)?;
        if got < MAGIC.len() || &fixed[..8] != MAGIC {
            return Err(RecordError::NotARecording(path));
        }
        if got < 10 {
            return Err(bad("it is cut off after the magic"));
        }
        let version = u16::from_le_bytes([fixed[8], fixed[9]]);
        if version > SCHEMA_VERSION {
            return Err(RecordError::NewerSchema {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if got < fixed.len() {
            return Err(bad("it is cut off"));
        }
        let len = u32::from_le_bytes(fixed[10..14].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(fixed[14..18].try_into().expect("4 bytes"));
        if u64::from(len) > total - 18 || len > 1 << 20 {
            return Err(bad("it is cut off or announces an impossible length"));
        }
        let mut json = vec![0u8; len as usize];
        reader.read_exact(&mut json).map_err(io_err)?;
        if crc32fast::hash(&json) != crc {
            return Err(bad("checksum mismatch"));
        }
        let header: RecordingHeader =
            serde_json::from_slice(&json).map_err(|e| bad(&e.to_string()))?;

        let mut rec = Recording {
            reader,
            path,
            header,
            version,
            samples: Vec::new(),
            stopped: None,
        };
        rec.index(18 + u64::from(len), total)?;
        Ok(rec)
    }

    fn index(&mut self, mut pos: u64, total: u64) -> Result<(), RecordError> {
        let mut payload = Vec::new();
        while pos < total {
            let index = self.samples.len();
            let stop = |reason| Stopped {
                offset: pos,
                index,
                reason,
            };
            let remaining = total - pos;
            if remaining < SAMPLE_HEADER_LEN {
                self.stopped = Some(stop(StopReason::CutOffHeader { have: remaining }));
                return Ok(());
            }
            let mut head = [0u8; SAMPLE_HEADER_LEN as usize];
            self.read_exact(&mut head)?;
            let len = u32::from_le_bytes(head[0..4].try_into().expect("4 bytes"));
            let crc = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes"));
            let ts = i64::from_le_bytes(head[8..16].try_into().expect("8 bytes"));
            if len > MAX_SAMPLE_LEN {
                self.stopped = Some(stop(StopReason::BadLength(len)));
                return Ok(());
            }
            let have = remaining - SAMPLE_HEADER_LEN;
            if u64::from(len) > have {
                self.stopped = Some(stop(StopReason::CutOffPayload {
                    need: u64::from(len),
                    have,
                }));
                return Ok(());
            }
            payload.resize(len as usize, 0);
            self.read_exact(&mut payload)?;
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(&head[8..16]);
            hasher.update(&payload);
            if hasher.finalize() != crc {
                self.stopped = Some(stop(StopReason::Checksum));
                return Ok(());
            }
            let Ok(taken_at) = Timestamp::from_nanosecond(i128::from(ts)) else {
                self.stopped = Some(stop(StopReason::BadTime));
                return Ok(());
            };
            self.samples.push(SampleRef {
                offset: pos + SAMPLE_HEADER_LEN,
                len,
                taken_at,
            });
            pos += SAMPLE_HEADER_LEN + u64::from(len);
        }
        Ok(())
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), RecordError> {
        self.reader
            .read_exact(buf)
            .map_err(|source| RecordError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// The whole samples, in file order.
    pub fn samples(&self) -> &[SampleRef] {
        &self.samples
    }

    /// Where and why reading stopped, when the file does not end with a whole sample.
    pub fn stopped(&self) -> Option<&Stopped> {
        self.stopped.as_ref()
    }

    /// The file's name, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Index of the last sample taken at or before `at`.
    pub fn at_or_before(&self, at: Timestamp) -> Option<usize> {
        self.samples
            .partition_point(|s| s.taken_at <= at)
            .checked_sub(1)
    }

    /// Decodes sample `index` and checks it ([`Round::validate`]): a
    /// sample that passed its checksum is still untrusted input. A sample of
    /// a schema 1 file is converted into its round.
    pub fn read(&mut self, index: usize) -> Result<Round, RecordError> {
        let s = self.samples[index];
        self.reader
            .seek(SeekFrom::Start(s.offset))
            .map_err(|source| RecordError::Io {
                path: self.path.clone(),
                source,
            })?;
        let mut payload = vec![0u8; s.len as usize];
        self.read_exact(&mut payload)?;
        decode(&payload, self.version).map_err(|why| RecordError::BadSample {
            path: self.path.clone(),
            index,
            offset: s.offset - SAMPLE_HEADER_LEN,
            why: crate::sanitize::clean(&why).into_owned(),
        })
    }
}

/// The largest decompressed size a payload of `len` bytes may announce: LZ4
/// expands a byte to at most 255, and nothing above [`MAX_DECODED_LEN`].
pub fn max_decoded_len(len: usize) -> usize {
    len.saturating_mul(255).min(MAX_DECODED_LEN)
}

/// Decompresses and decodes one sample's payload of schema `version`,
/// refusing an announced size beyond [`max_decoded_len`] before allocating
/// anything for it.
fn decode(payload: &[u8], version: u16) -> Result<Round, String> {
    let Some((size, block)) = payload.split_first_chunk::<4>() else {
        return Err(format!(
            "the payload is {} bytes, shorter than its 4-byte size prefix",
            payload.len()
        ));
    };
    let size = u32::from_le_bytes(*size) as usize;
    let limit = max_decoded_len(block.len());
    if size > limit {
        return Err(format!(
            "it announces {size} decompressed bytes, more than the {limit} its {} compressed bytes can hold",
            block.len()
        ));
    }
    let packed = lz4_flex::block::decompress(block, size).map_err(|e| e.to_string())?;
    if version < 2 {
        let snapshot: Snapshot = rmp_serde::from_slice(&packed).map_err(|e| e.to_string())?;
        snapshot.validate()?;
        return Ok(super::legacy::round_of(snapshot));
    }
    let round: Round = rmp_serde::from_slice(&packed).map_err(|e| e.to_string())?;
    round.validate()?;
    Ok(round)
}
