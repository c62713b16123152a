//! `snapshot --from FILE --at TIME`: which moment of a recording to print.

use std::str::FromStr;

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// A moment of a recording, as `--at` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// An RFC 3339 time: `2026-11-24T19:08:45Z`.
    Instant(Timestamp),
    /// A time of day in UTC (the clock the dashboard shows): `19:08:45`,
    /// `19:08`; the last such time at or before the recording's last sample.
    TimeOfDay(Time),
    /// This long before the recording's last sample: `-5m`, `-90s`.
    BeforeEnd(SignedDuration),
}

impl At {
    /// The timestamp meant, for a recording whose last sample is at `last`.
    pub fn resolve(self, last: Timestamp) -> Timestamp {
        match self {
            At::Instant(t) => t,
            At::BeforeEnd(d) => last.saturating_sub(d).unwrap_or(last),
            At::TimeOfDay(time) => {
                let day = last.to_zoned(TimeZone::UTC).date();
                let today = day.to_datetime(time).to_zoned(TimeZone::UTC);
                let same_day = today.as_ref().map(|z| z.timestamp()).ok();
                match same_day {
                    Some(t) if t <= last => t,
                    _ => day
                        .yesterday()
                        .ok()
                        .and_then(|d| d.to_datetime(time).to_zoned(TimeZone::UTC).ok())
                        .map_or(last, |z| z.timestamp()),
                }
            }
        }
    }
}

impl FromStr for At {
    type Err = String;

    fn from_str(text: &str) -> Result<At, String> {
        let bad = || {
            format!(
                "invalid time {text:?}: use an RFC 3339 time (2026-11-24T19:08:45Z), a time of day \
                 in UTC (19:08:45 or 19:08) or a time back from the last sample (-5m, -90s)"
            )
        };
        let text = text.trim();
        if let Some(back) = text.strip_prefix('-') {
            let d = humantime::parse_duration(back).map_err(|_| bad())?;
            return SignedDuration::try_from(d)
                .map(At::BeforeEnd)
                .map_err(|_| bad());
        }
        if let Ok(t) = text.parse::<Timestamp>() {
            return Ok(At::Instant(t));
        }
        let clock = text
            .strip_suffix('Z')
            .or_else(|| text.strip_suffix(" UTC"))
            .unwrap_or(text);
        if clock.len() <= 18 && clock.contains(':') && !clock.contains('-') {
            return clock.parse::<Time>().map(At::TimeOfDay).map_err(|_| bad());
        }
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_takes_instants_times_of_day_and_offsets() {
        let last: Timestamp = "2026-11-24T19:10:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<At>().unwrap().resolve(last).to_string();
        assert_eq!(at("2026-11-24T19:08:45Z"), "2026-11-24T19:08:45Z");
        assert_eq!(at("19:08:45"), "2026-11-24T19:08:45Z");
        assert_eq!(at("19:08"), "2026-11-24T19:08:00Z");
        assert_eq!(at("19:08:45.5"), "2026-11-24T19:08:45.5Z");
        assert_eq!(at("19:08:45Z"), "2026-11-24T19:08:45Z");
        assert_eq!(
            at("23:00"),
            "2026-11-23T23:00:00Z",
            "later than the end: the day before"
        );
        assert_eq!(at("-5m"), "2026-11-24T19:05:00Z");
        assert_eq!(at("-90s"), "2026-11-24T19:08:30Z");
        for bad in ["19:08:4x", "yesterday", "-5 parsecs", "25:00"] {
            let err = bad.parse::<At>().unwrap_err();
            assert!(
                err.starts_with(&format!("invalid time {bad:?}: use an RFC 3339 time")),
                "{err}"
            );
        }
    }
}
