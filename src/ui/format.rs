//! Text formatting shared by the screens: counts, deltas, ages, offsets.

use jiff::{SignedDuration, Timestamp, tz::TimeZone};

/// `HH:MM:SS` of `at` in UTC (servers and incident notes speak UTC).
pub fn clock(at: Timestamp) -> String {
    at.to_zoned(TimeZone::UTC).strftime("%H:%M:%S").to_string()
}

/// A change between two samples: `+12`, `-3`, or empty when unchanged.
pub fn delta(now: u64, before: Option<u64>) -> String {
    match before {
        Some(b) if now > b => format!("+{}", now - b),
        Some(b) if now < b => format!("-{}", b - now),
        _ => String::new(),
    }
}

/// A duration as a compact age: `42s`, `5m03s`, `2h07m`, `3d04h`.
pub fn age(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86400, (s % 86400) / 3600),
    }
}

/// A socket's age for the SEEN FOR column: `≥4m12s` when the kernel
/// proves it (a lower bound from `tcp_info`), `4m12s` when watched.
pub fn socket_age(age: crate::model::SocketAge) -> String {
    match age.source {
        crate::model::AgeSource::Kernel => format!("≥{}", self::age(age.duration())),
        crate::model::AgeSource::Watched => self::age(age.duration()),
    }
}

/// How far a shown sample lies behind the newest: `-00:42`, `-1:02:03`.
pub fn offset(behind: SignedDuration) -> String {
    let s = behind.as_secs().max(0);
    if s >= 3600 {
        format!("-{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("-{:02}:{:02}", s / 60, s % 60)
    }
}

/// A `std::time::Duration` the way the flags take it (`1s`, `250ms`).
pub fn interval(d: std::time::Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// Milliseconds until a kernel timer fires, compactly (`1.2s`, `850ms`).
pub fn expires(ms: u32) -> String {
    if ms >= 10_000 {
        format!("{}s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.1}s", f64::from(ms) / 1000.0)
    } else {
        format!("{ms}ms")
    }
}

/// Cuts `text` to at most `width` characters, marking the cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(1);
    let mut out: String = text.chars().take(keep).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

/// `text` in at most `width` characters, cut at a clause: the longest
/// run of its `; `-separated clauses that fits, then ` …`; cut mid-clause
/// ([`fit`]) only when not even the first clause fits.
pub fn fit_clauses(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let cut = text
        .match_indices("; ")
        .map(|(i, _)| &text[..i])
        .filter(|head| head.chars().count() + 2 <= width)
        .last();
    match cut {
        Some(head) => format!("{head} …"),
        None => fit(text, width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_are_cut_whole() {
        let m = "listener 127.0.0.1:8080 accept queue is full (129/128); backlog 128; held by java[2211]";
        assert_eq!(fit_clauses(m, 200), m);
        assert_eq!(
            fit_clauses(m, 70),
            "listener 127.0.0.1:8080 accept queue is full (129/128); backlog 128 …"
        );
        assert_eq!(
            fit_clauses(m, 60),
            "listener 127.0.0.1:8080 accept queue is full (129/128) …"
        );
        assert_eq!(fit_clauses(m, 20), "listener 127.0.0.1:…");
    }

    #[test]
    fn ages_offsets_and_deltas() {
        assert_eq!(age(SignedDuration::from_secs(42)), "42s");
        assert_eq!(age(SignedDuration::from_secs(303)), "5m03s");
        assert_eq!(age(SignedDuration::from_secs(7620)), "2h07m");
        assert_eq!(age(SignedDuration::from_secs(273_600)), "3d04h");
        assert_eq!(offset(SignedDuration::from_secs(42)), "-00:42");
        assert_eq!(offset(SignedDuration::from_secs(3723)), "-1:02:03");
        assert_eq!(delta(5, Some(3)), "+2");
        assert_eq!(delta(3, Some(5)), "-2");
        assert_eq!(delta(3, Some(3)), "");
        assert_eq!(delta(3, None), "");
        assert_eq!(expires(850), "850ms");
        assert_eq!(expires(1250), "1.2s");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
