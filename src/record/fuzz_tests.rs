//! Fuzzing the reader with hostile samples: the recorder's own output,
//! mutated in its structure (numbers, indices, list lengths, map keys,
//! strings, types) and in its bytes (MessagePack and the LZ4 size prefix),
//! then framed with a valid checksum so the decoder sees it. Reading must
//! give a sample or an error, never a panic or a huge allocation, and
//! whatever it gives must go through the model and every output format.
//!
//! The suite runs 256 cases in a few seconds. A longer run:
//! `SOCKSCOPE_FUZZ_CASES=20000 cargo test --release --lib record::fuzz_tests`.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;

use super::writer::{encode_header_of, frame};
use super::*;
use crate::cli::Format;
use crate::commands::snapshot::{RenderOptions, judge_round, render_report, render_round};
use crate::commands::watch::Report;
use crate::model::{
    Model, ModelLimits, NetnsPart, Round, Snapshot, SocketProcesses, Thresholds, UnixKind,
    UnixListener, UnixPeer, fixtures,
};

/// A schema 1 sample with something in every list: listeners and
/// connections, UNIX listeners and peers, owners, two namespace parts,
/// counters, tunables.
fn rich() -> Snapshot {
    let mut s = fixtures::busy_host("2026-11-24T02:40:00Z", 4, 30);
    s.unix_listeners = vec![UnixListener {
        path: "/run/app.sock".to_owned(),
        inode: 900,
        kind: UnixKind::Stream,
        accept_queue: 2,
        backlog: 16,
    }];
    s.unix_peers = vec![UnixPeer {
        listener: 900,
        server: 901,
        peer: 902,
    }];
    s.processes.enabled = true;
    s.processes.list = vec![fixtures::process(10, "nginx"), fixtures::process(11, "app")];
    s.processes.sockets = vec![
        SocketProcesses {
            inode: 1,
            processes: vec![0],
        },
        SocketProcesses {
            inode: 900,
            processes: vec![0, 1],
        },
    ]
    .into();
    let part = |label: &str, tcp: u32, unix: u32| NetnsPart {
        label: label.to_owned(),
        id: None,
        inode: 4026531840,
        tcp,
        unix,
        error: None,
        counters: Default::default(),
        tunables: Default::default(),
    };
    s.netns_parts = vec![part("host", 20, 1), part("web", 14, 0)];
    s.counters.insert("ListenOverflows".to_owned(), 3);
    s.tunables.insert(
        "net.ipv4.ip_local_port_range".to_owned(),
        "32768 60999".to_owned(),
    );
    s.tunables
        .insert("net.core.somaxconn".to_owned(), "4096".to_owned());
    s
}

/// One structural change, applied to the `at`-th node of the decoded tree.
#[derive(Clone, Debug)]
enum Edit {
    /// A number becomes another (small ones hit indices and counts).
    Number(u64),
    /// A number becomes negative or fractional.
    Odd(i64),
    /// A string becomes another (control characters, huge, empty).
    Text(String),
    /// A list keeps only its first `n` entries.
    Truncate(usize),
    /// A list's first entry is repeated `n` more times.
    Repeat(usize),
    /// A map loses its `n`-th key.
    DropKey(usize),
    /// A node becomes null.
    Null,
    /// A node becomes a list.
    List,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u64..8).prop_map(Edit::Number),
        any::<u64>().prop_map(Edit::Number),
        (i64::MIN..0).prop_map(Edit::Odd),
        "(\\PC|\\x1b|\n|\t){0,12}".prop_map(Edit::Text),
        (0usize..4).prop_map(Edit::Truncate),
        (1usize..4).prop_map(Edit::Repeat),
        (0usize..12).prop_map(Edit::DropKey),
        Just(Edit::Null),
        Just(Edit::List),
    ]
}

/// Applies `edit` to node `at` (pre-order) of `v`; returns nodes left to skip.
fn apply(v: &mut Value, at: &mut usize, edit: &Edit) -> bool {
    if *at == 0 {
        match (edit, &mut *v) {
            (Edit::Number(n), Value::Number(_)) => *v = Value::from(*n),
            (Edit::Odd(n), Value::Number(_)) => *v = Value::from(*n as f64 / 3.0),
            (Edit::Text(t), Value::String(_)) => *v = Value::String(t.clone()),
            (Edit::Truncate(n), Value::Array(a)) => a.truncate(*n),
            (Edit::Repeat(n), Value::Array(a)) if !a.is_empty() => {
                let first = a[0].clone();
                a.extend(std::iter::repeat_n(first, *n));
            }
            (Edit::DropKey(n), Value::Object(m)) if !m.is_empty() => {
                let key = m.keys().nth(n % m.len()).cloned().expect("in range");
                m.remove(&key);
            }
            (Edit::Null, _) => *v = Value::Null,
            (Edit::List, _) => *v = Value::Array(vec![v.clone()]),
            _ => return false,
        }
        return true;
    }
    *at -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|c| apply(c, at, edit)),
        Value::Object(m) => m.values_mut().any(|c| apply(c, at, edit)),
        _ => false,
    }
}

/// A byte-level change of the MessagePack or of the compressed frame.
#[derive(Clone, Debug)]
enum Bytes {
    None,
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Cut(usize),
    /// The LZ4 size prefix says this.
    Prefix(u32),
}

fn bytes() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        3 => Just(Bytes::None),
        1 => (any::<usize>(), 1u8..).prop_map(|(i, b)| Bytes::Flip(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Bytes::Insert(i, b)),
        1 => any::<usize>().prop_map(Bytes::Delete),
        1 => any::<usize>().prop_map(Bytes::Cut),
        1 => prop_oneof![Just(u32::MAX), Just(u32::MAX / 2), any::<u32>(), 0u32..64]
            .prop_map(Bytes::Prefix),
    ]
}

fn mutate(buf: &mut Vec<u8>, m: &Bytes) {
    if buf.is_empty() {
        return;
    }
    let n = buf.len();
    match *m {
        Bytes::None | Bytes::Prefix(_) => {}
        Bytes::Flip(i, b) => buf[i % n] ^= b,
        Bytes::Insert(i, b) => buf.insert(i % (n + 1), b),
        Bytes::Delete(i) => {
            buf.remove(i % n);
        }
        Bytes::Cut(i) => buf.truncate(i % n),
    }
}

/// The same as a round (schema 2): two namespaces with all of the above.
fn rich_round() -> Round {
    legacy::round_of(rich())
}

/// The sample of schema `version` as the recorder would write it, after
/// `edits` and `raw`.
fn hostile_sample(version: u16, edits: &[(usize, Edit)], raw: &Bytes) -> Vec<u8> {
    let snap = rich();
    let packed = match version {
        1 => rmp_serde::to_vec_named(&snap),
        _ => rmp_serde::to_vec_named(&rich_round()),
    };
    let mut tree: Value = rmp_serde::from_slice(&packed.unwrap()).unwrap();
    for (at, e) in edits {
        apply(&mut tree, &mut at.clone(), e);
    }
    let mut packed = rmp_serde::to_vec_named(&tree).unwrap();
    if !matches!(raw, Bytes::Prefix(_)) {
        mutate(&mut packed, raw);
    }
    let mut payload = lz4_flex::compress_prepend_size(&packed);
    if let Bytes::Prefix(p) = raw {
        payload[..4].copy_from_slice(&p.to_le_bytes());
    }
    let header = RecordingHeader {
        hostname: "fuzz".to_owned(),
        netns: "fuzz".to_owned(),
        interval_ms: 1000,
        started: snap.taken_at,
        writer: "test".to_owned(),
    };
    let mut file = encode_header_of(&header, version);
    file.extend(frame(snap.taken_at, &payload).unwrap());
    file
}

/// Reads the only sample and, when it decodes, takes it through the model
/// twice (rates need a previous sample) and every output format, as the
/// dashboard's view and as each namespace alone (`snapshot --from`).
fn read_and_render(file: Vec<u8>) -> Result<(), RecordError> {
    let mut rec = Recording::from_reader(Path::new("fuzz.rec"), Cursor::new(file))?;
    let round = rec.read(0)?.aggregate();
    let mut model = Model::new(&ModelLimits::default());
    model.ingest_round(rich_round().aggregate());
    let frame = model.ingest_round(round.clone());
    let report = Report::single(frame, model.tracker);
    let reports = judge_round(&round, &Thresholds::default());
    for format in [Format::Text, Format::Json, Format::Csv, Format::Prometheus] {
        let opts = RenderOptions {
            sockets: true,
            ..RenderOptions::default()
        };
        render_report(&mut Vec::new(), format, &report, opts).unwrap();
        render_round(&mut Vec::new(), format, &round, &reports, opts).unwrap();
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("SOCKSCOPE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

#[test]
fn unmutated_tree_reads_back_equal() {
    for version in [1, SCHEMA_VERSION] {
        let file = hostile_sample(version, &[], &Bytes::None);
        let mut rec = Recording::from_reader(Path::new("fuzz.rec"), Cursor::new(file)).unwrap();
        assert_eq!(rec.read(0).unwrap(), rich_round(), "schema {version}");
        read_and_render(hostile_sample(version, &[], &Bytes::None)).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_samples_are_refused_or_shown(
        version in prop_oneof![Just(1u16), Just(SCHEMA_VERSION)],
        edits in proptest::collection::vec((0usize..400, edit()), 0..4),
        raw in bytes(),
    ) {
        let file = hostile_sample(version, &edits, &raw);
        match read_and_render(file) {
            Ok(()) => {}
            Err(e) => {
                let line = e.to_string();
                prop_assert!(!line.contains('\n'), "one line: {line}");
            }
        }
    }
}
