//! Round trips, truncation at every kind of offset (property test) and bad input.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;

use super::writer::{encode_header, encode_header_of, encode_sample, frame};
use super::*;
use crate::model::{Round, TcpState, fixtures};

fn header() -> RecordingHeader {
    RecordingHeader {
        hostname: "test".to_owned(),
        netns: "test".to_owned(),
        interval_ms: 1000,
        started: "2026-11-24T02:40:00Z".parse().unwrap(),
        writer: "test".to_owned(),
    }
}

fn samples() -> Vec<crate::model::Snapshot> {
    (0..5u32)
        .map(|i| {
            let mut tcp = vec![fixtures::listen("127.0.0.1:80", i, 128, 1)];
            for c in 0..i {
                tcp.push(fixtures::sock(
                    TcpState::CloseWait,
                    "127.0.0.1:80",
                    &format!("127.0.0.1:{}", 40000 + c),
                    u64::from(100 + c),
                ));
            }
            let mut s = fixtures::snapshot(&format!("2026-11-24T02:40:0{i}Z"), tcp);
            s.counters
                .insert("ListenOverflows".to_owned(), u64::from(i) * 7);
            s.collector.notes = if i == 2 {
                vec!["a note".to_owned()]
            } else {
                vec![]
            };
            s
        })
        .collect()
}

/// The file bytes and the end offset of the header and of each sample.
fn file() -> (Vec<u8>, Vec<usize>) {
    let mut bytes = encode_header(&header());
    let mut ends = vec![bytes.len()];
    for s in samples() {
        bytes.extend(encode_sample(&Round::one(s)).unwrap());
        ends.push(bytes.len());
    }
    (bytes, ends)
}

fn open(bytes: Vec<u8>) -> Result<Recording<Cursor<Vec<u8>>>, RecordError> {
    Recording::from_reader(Path::new("t.rec"), Cursor::new(bytes))
}

#[test]
fn round_trip() {
    let (bytes, _) = file();
    let mut rec = open(bytes).unwrap();
    assert_eq!(rec.header, header());
    assert_eq!(rec.stopped(), None);
    let want = samples();
    assert_eq!(rec.samples().len(), want.len());
    for (i, w) in want.iter().enumerate() {
        assert_eq!(rec.read(i).unwrap(), Round::one(w.clone()));
    }
}

#[test]
fn at_or_before_picks_the_nearest_earlier_sample() {
    let (bytes, _) = file();
    let rec = open(bytes).unwrap();
    let at = |t: &str| rec.at_or_before(t.parse().unwrap());
    assert_eq!(at("2026-11-24T02:39:59Z"), None);
    assert_eq!(at("2026-11-24T02:40:00Z"), Some(0));
    assert_eq!(at("2026-11-24T02:40:02.999Z"), Some(2));
    assert_eq!(at("2027-01-01T00:00:00Z"), Some(4));
}

#[test]
fn not_a_recording_and_newer_schema() {
    let err = open(b"{\"schema\": \"sockscope.snapshot.v1\"}".to_vec()).unwrap_err();
    assert!(matches!(err, RecordError::NotARecording(_)), "{err}");
    assert!(
        err.to_string()
            .contains("t.rec is not a sockscope recording")
    );

    let (mut bytes, _) = file();
    bytes[8..10].copy_from_slice(&(SCHEMA_VERSION + 1).to_le_bytes());
    let err = open(bytes).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "t.rec has recording schema version {}, newer than the {SCHEMA_VERSION} this sockscope reads; upgrade sockscope to replay it",
            SCHEMA_VERSION + 1
        )
    );
}

#[test]
fn stop_message_names_offset_and_cause() {
    let (bytes, ends) = file();
    let cut = ends[3] + 5;
    let rec = open(bytes[..cut].to_vec()).unwrap();
    assert_eq!(rec.samples().len(), 3);
    assert_eq!(
        rec.stopped().unwrap().to_string(),
        format!(
            "the file is cut off at byte {cut}: 5 of the 16 header bytes of sample 3 (byte {}) are present (recording killed or disk full?)",
            ends[3]
        )
    );
}

proptest! {
    #[test]
    fn truncated_file_reads_every_whole_sample(cut in 0usize..4096) {
        let (bytes, ends) = file();
        let cut = cut % (bytes.len() + 1);
        let result = open(bytes[..cut].to_vec());
        if cut < ends[0] {
            let refused = matches!(
                result,
                Err(RecordError::NotARecording(_) | RecordError::BadHeader { .. })
            );
            prop_assert!(refused, "a cut-off header is refused");
            return Ok(());
        }
        let mut rec = result.unwrap();
        let whole = ends[1..].iter().filter(|&&e| e <= cut).count();
        prop_assert_eq!(rec.samples().len(), whole);
        prop_assert_eq!(rec.stopped().is_none(), ends.contains(&cut));
        if let Some(stop) = rec.stopped() {
            prop_assert_eq!(stop.index, whole);
            prop_assert_eq!(stop.offset as usize, ends[whole]);
        }
        let want = samples();
        for (i, w) in want.iter().enumerate().take(whole) {
            prop_assert_eq!(rec.read(i).unwrap(), Round::one(w.clone()));
        }
    }

    #[test]
    fn corrupted_byte_stops_at_its_sample(at in 0usize..4096, flip in 1u8..=255) {
        let (mut bytes, ends) = file();
        let at = ends[0] + at % (bytes.len() - ends[0]);
        bytes[at] ^= flip;
        let mut rec = open(bytes).unwrap();
        let hit = ends[1..].iter().position(|&e| at < e).unwrap();
        prop_assert_eq!(rec.samples().len(), hit);
        let stop = rec.stopped().unwrap();
        prop_assert_eq!(stop.offset as usize, ends[hit]);
        for i in 0..hit {
            prop_assert_eq!(rec.read(i).unwrap(), Round::one(samples()[i].clone()));
        }
    }
}

#[test]
fn recording_source_plays_every_sample_then_ends() {
    use crate::collector::{CollectError, RoundSource};
    let (bytes, _) = file();
    let playback = Playback::new(1000.0);
    assert_eq!(playback.speed(), SPEEDS.1, "speed is clamped");
    let mut source = RecordingSource::new(open(bytes).unwrap(), playback);
    for want in samples() {
        assert_eq!(source.round().unwrap(), Round::one(want));
    }
    assert!(matches!(source.round(), Err(CollectError::Exhausted)));
}

/// The snapshot as the first recordings stored it, before `processes` and
/// `netns_parts` were added: such files must keep reading back.
#[derive(serde::Serialize)]
struct FirstSnapshot<'a> {
    taken_at: jiff::Timestamp,
    hostname: &'a str,
    netns: &'a str,
    tcp: &'a crate::model::TcpList,
    unix_listeners: &'a [crate::model::UnixListener],
    counters: &'a std::collections::BTreeMap<String, u64>,
    tunables: &'a std::collections::BTreeMap<String, String>,
    collector: &'a crate::model::CollectorStats,
}

#[test]
fn samples_of_the_first_schema_read_back_with_defaults() {
    let s = &samples()[3];
    let old = FirstSnapshot {
        taken_at: s.taken_at,
        hostname: &s.hostname,
        netns: &s.netns,
        tcp: &s.tcp,
        unix_listeners: &s.unix_listeners,
        counters: &s.counters,
        tunables: &s.tunables,
        collector: &s.collector,
    };
    let payload = lz4_flex::compress_prepend_size(&rmp_serde::to_vec_named(&old).unwrap());
    let mut bytes = encode_header_of(&header(), 1);
    bytes.extend(frame(s.taken_at, &payload).unwrap());
    let mut rec = open(bytes).unwrap();
    assert_eq!(rec.samples().len(), 1);
    assert_eq!(
        rec.read(0).unwrap(),
        Round::one(s.clone()),
        "new fields take their defaults"
    );
}

/// LISTEN sockets' `drops` round-trip; a socket without them encodes no
/// `drops` key at all, exactly as recordings made before the field existed,
/// and those read back as `None` (the model then falls back to the fill guess).
#[test]
fn listener_drops_round_trip_and_old_sockets_lack_the_key() {
    let mut s = samples()[3].clone();
    let old = rmp_serde::to_vec_named(&s.tcp).unwrap();
    assert!(
        !old.windows(5).any(|w| w == b"drops"),
        "no key when unknown"
    );
    let back: Vec<crate::model::TcpSocket> = rmp_serde::from_slice(&old).unwrap();
    assert!(back.iter().all(|t| t.drops.is_none()));
    let listen = s
        .tcp
        .owned_mut()
        .iter_mut()
        .find(|t| t.state == crate::model::TcpState::Listen)
        .expect("the sample has a listener");
    listen.drops = Some(u32::MAX);
    let mut bytes = encode_header(&header());
    bytes.extend(encode_sample(&Round::one(s.clone())).unwrap());
    assert_eq!(open(bytes).unwrap().read(0).unwrap(), Round::one(s));
}

/// A schema 1 file (a snapshot per sample) of one sample whose payload is
/// `payload`, framed with a valid crc32.
fn one_sample(payload: &[u8]) -> Vec<u8> {
    let mut bytes = encode_header_of(&header(), 1);
    bytes.extend(frame(samples()[0].taken_at, payload).unwrap());
    bytes
}

#[test]
fn a_size_prefix_beyond_the_payload_is_refused_before_allocating() {
    let mut payload = lz4_flex::compress_prepend_size(&[0u8; 3000]);
    payload[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let offset = encode_header(&header()).len();
    let mut rec = open(one_sample(&payload)).unwrap();
    let block = payload.len() - 4;
    assert_eq!(
        rec.read(0).unwrap_err().to_string(),
        format!(
            "t.rec: sample 0 at byte {offset} cannot be decoded: it announces 4294967295 decompressed bytes, more than the {} its {block} compressed bytes can hold",
            block * 255
        )
    );
}

#[test]
fn a_real_bomb_stops_at_the_hard_cap() {
    let bomb = vec![0u8; MAX_DECODED_LEN + 1];
    let payload = lz4_flex::compress_prepend_size(&bomb);
    assert!(
        payload.len() * 255 > MAX_DECODED_LEN,
        "the ratio bound alone would pass it"
    );
    let err = open(one_sample(&payload)).unwrap().read(0).unwrap_err();
    assert!(
        err.to_string().ends_with(&format!(
            "it announces {} decompressed bytes, more than the {MAX_DECODED_LEN} its {} compressed bytes can hold",
            MAX_DECODED_LEN + 1,
            payload.len() - 4
        )),
        "{err}"
    );
}

#[test]
fn a_process_index_outside_the_table_is_refused() {
    let mut s = samples()[1].clone();
    s.processes.enabled = true;
    s.processes.list = vec![crate::model::fixtures::process(1, "init")];
    s.processes.sockets = vec![crate::model::SocketProcesses {
        inode: s.tcp[0].inode,
        processes: vec![5],
    }]
    .into();
    let payload = lz4_flex::compress_prepend_size(&rmp_serde::to_vec_named(&s).unwrap());
    let offset = encode_header(&header()).len();
    let err = open(one_sample(&payload)).unwrap().read(0).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "t.rec: sample 0 at byte {offset} cannot be decoded: processes.sockets[0] (inode {}) names process 5 of a 1-entry process list",
            s.tcp[0].inode
        )
    );
}

/// A schema 1 sample of `--all-netns` (the namespaces merged into one
/// snapshot) reads back as its round: each namespace its own sockets,
/// counters and tunables; a namespace that carried an error brings no sample.
#[test]
fn a_merged_sample_of_schema_1_reads_back_as_its_round() {
    use crate::model::NetnsPart;
    let mut merged = samples()[2].clone();
    merged.netns = "all".to_owned();
    let own = merged.tcp.len() as u32;
    merged.tcp.push(fixtures::listen("0.0.0.0:8080", 0, 16, 77));
    let part = |label: &str, tcp, error: Option<&str>| NetnsPart {
        label: label.to_owned(),
        id: None,
        inode: 9,
        tcp,
        unix: 0,
        error: error.map(str::to_owned),
        counters: std::collections::BTreeMap::from([(
            "ListenOverflows".to_owned(),
            u64::from(tcp),
        )])
        .into(),
        tunables: Default::default(),
    };
    merged.netns_parts = vec![
        part("host", own, None),
        part("web", 1, None),
        part("gone", 0, Some("network namespace gone is gone")),
    ];
    let payload = lz4_flex::compress_prepend_size(&rmp_serde::to_vec_named(&merged).unwrap());
    let round = open(one_sample(&payload)).unwrap().read(0).unwrap();
    assert!(round.all);
    let parts: Vec<_> = round
        .parts
        .iter()
        .map(|p| {
            let s = p.sample.as_ref();
            (
                p.label.as_str(),
                s.map(|s| (s.netns.clone(), s.tcp.len(), s.counters["ListenOverflows"])),
                p.error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            (
                "host",
                Some(("host".to_owned(), own as usize, u64::from(own))),
                None
            ),
            ("web", Some(("web".to_owned(), 1, 1)), None),
            ("gone", None, Some("network namespace gone is gone")),
        ]
    );
    assert_eq!(round.parts[1].sample.as_ref().unwrap().tcp[0].inode, 77);
}

/// A schema 2 round is checked namespace by namespace; the error names it.
#[test]
fn a_round_with_a_bad_namespace_sample_is_refused_naming_it() {
    let mut bad = samples()[1].clone();
    bad.processes.list = vec![crate::model::fixtures::process(1, "init")];
    bad.processes.sockets = vec![crate::model::SocketProcesses {
        inode: bad.tcp[0].inode,
        processes: vec![5],
    }]
    .into();
    let mut round = Round::one(samples()[0].clone());
    round.all = true;
    round.parts.push(crate::model::Part {
        label: "web".to_owned(),
        id: None,
        inode: 2,
        sample: Some(bad),
        error: None,
    });
    let mut bytes = encode_header(&header());
    let offset = bytes.len();
    bytes.extend(encode_sample(&round).unwrap());
    let err = open(bytes).unwrap().read(0).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "t.rec: sample 0 at byte {offset} cannot be decoded: namespace \"web\": processes.sockets[0]"
        )),
        "{err}"
    );
}
