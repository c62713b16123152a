//! Writing metric families as text: the Prometheus text exposition format
//! 0.0.4 and OpenMetrics 1.0.0.

use std::fmt::Write as _;

use super::{Family, Kind};

/// Which text format to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `text/plain; version=0.0.4`.
    Prometheus,
    /// `application/openmetrics-text; version=1.0.0`.
    OpenMetrics,
}

impl Dialect {
    /// Picks OpenMetrics when the scraper's `Accept` header gives
    /// `application/openmetrics-text` a quality above 0 and above that of
    /// `text/plain` (each the quality of its most specific matching range:
    /// the type itself, then `type/*`, then `*/*`); a tie, no header, or
    /// one accepting neither gets the Prometheus text format.
    pub fn negotiate(accept: Option<&str>) -> Dialect {
        let Some(accept) = accept else {
            return Dialect::Prometheus;
        };
        let openmetrics = quality(accept, "application", "openmetrics-text");
        if openmetrics > 0.0 && openmetrics > quality(accept, "text", "plain") {
            Dialect::OpenMetrics
        } else {
            Dialect::Prometheus
        }
    }

    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Dialect::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Dialect::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The quality (`q`, 1 when absent) that the media ranges of `accept` give
/// `ty/subtype`: that of the most specific range matching it, 0 when none
/// does (RFC 9110, section 12.5.1).
fn quality(accept: &str, ty: &str, subtype: &str) -> f32 {
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let Some((rt, rs)) = parts.next().and_then(|m| m.split_once('/')) else {
            continue;
        };
        let specificity = match (rt.trim(), rs.trim()) {
            ("*", "*") => 0,
            (t, "*") if t.eq_ignore_ascii_case(ty) => 1,
            (t, s) if t.eq_ignore_ascii_case(ty) && s.eq_ignore_ascii_case(subtype) => 2,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Escapes a label value or help text: backslash, newline and (in quotes)
/// the double quote as the exposition formats define; every other control
/// character by [`crate::sanitize::clean`]'s rule, so ESC never reaches a
/// terminal that shows the scrape.
fn escape(text: &str, quote: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c if crate::sanitize::is_unsafe(c) => out.push_str(
                &crate::sanitize::clean(c.encode_utf8(&mut [0; 4])).replace('\\', "\\\\"),
            ),
            c => out.push(c),
        }
    }
    out
}

fn value(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Writes `families` in `dialect`. Families without samples still get their
/// HELP and TYPE lines.
pub fn encode(families: &[Family], dialect: Dialect) -> String {
    let mut out = String::new();
    for f in families {
        let sample_name = match f.kind {
            Kind::Counter => format!("{}_total", f.name),
            Kind::Gauge => f.name.to_owned(),
        };
        let (meta_name, kind) = match (f.kind, dialect) {
            (Kind::Gauge, _) => (f.name, "gauge"),
            (Kind::Counter, Dialect::OpenMetrics) => (f.name, "counter"),
            (Kind::Counter, Dialect::Prometheus) => (sample_name.as_str(), "counter"),
        };
        let help = escape(f.help, dialect == Dialect::OpenMetrics);
        let _ = writeln!(out, "# HELP {meta_name} {help}");
        let _ = writeln!(out, "# TYPE {meta_name} {kind}");
        for s in &f.samples {
            out.push_str(&sample_name);
            if !s.labels.is_empty() {
                out.push('{');
                for (i, (name, v)) in s.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{name}=\"{}\"", escape(v, true));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {}", value(s.value));
        }
    }
    if dialect == Dialect::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_families() -> Vec<Family> {
        let mut g = Family::gauge("sockscope_x", "A \"quoted\" back\\slash\nhelp.");
        g.push(vec![("path", "/run/a\"b\\c\nd".to_owned())], 3.0);
        g.push(vec![], 0.25);
        let mut c = Family::counter("sockscope_y", "Things.");
        c.push(vec![("netns", "host".to_owned())], 12.0);
        vec![g, c]
    }

    #[test]
    fn prometheus_text() {
        assert_eq!(
            encode(&sample_families(), Dialect::Prometheus),
            "# HELP sockscope_x A \"quoted\" back\\\\slash\\nhelp.\n\
             # TYPE sockscope_x gauge\n\
             sockscope_x{path=\"/run/a\\\"b\\\\c\\nd\"} 3\n\
             sockscope_x 0.25\n\
             # HELP sockscope_y_total Things.\n\
             # TYPE sockscope_y_total counter\n\
             sockscope_y_total{netns=\"host\"} 12\n"
        );
    }

    #[test]
    fn openmetrics_text() {
        let text = encode(&sample_families(), Dialect::OpenMetrics);
        assert!(
            text.contains("# HELP sockscope_x A \\\"quoted\\\""),
            "{text}"
        );
        assert!(
            text.contains("# TYPE sockscope_y counter\nsockscope_y_total{netns=\"host\"} 12\n")
        );
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn negotiation() {
        assert_eq!(Dialect::negotiate(None), Dialect::Prometheus);
        assert_eq!(
            Dialect::negotiate(Some(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
            )),
            Dialect::OpenMetrics
        );
        assert_eq!(Dialect::negotiate(Some("text/plain")), Dialect::Prometheus);
        assert_eq!(
            Dialect::negotiate(Some("application/openmetrics-text; q=0, text/plain")),
            Dialect::Prometheus,
            "q=0 means not acceptable"
        );
    }

    #[test]
    fn negotiation_compares_the_qualities_of_both_formats() {
        let pick = |accept: &str| Dialect::negotiate(Some(accept));
        // Prometheus 3's default scrape header.
        assert_eq!(
            pick(
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8,\
                 application/openmetrics-text;version=0.0.1;q=0.8,\
                 text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,\
                 text/plain;version=0.0.4;q=0.4,*/*;q=0.1"
            ),
            Dialect::OpenMetrics
        );
        assert_eq!(
            pick("application/openmetrics-text;q=0.5, text/plain;q=0.9"),
            Dialect::Prometheus,
            "text/plain preferred"
        );
        assert_eq!(
            pick("text/plain;q=0.3, application/openmetrics-text;q=0.5"),
            Dialect::OpenMetrics
        );
        assert_eq!(
            pick("application/openmetrics-text, text/plain"),
            Dialect::Prometheus,
            "a tie"
        );
        assert_eq!(pick("*/*"), Dialect::Prometheus, "curl");
        assert_eq!(pick("text/*;q=0.2, application/*"), Dialect::OpenMetrics);
        assert_eq!(
            pick("application/openmetrics-text;q=0.5, */*"),
            Dialect::Prometheus,
            "*/* gives text/plain 1"
        );
        assert_eq!(
            pick("application/*;q=0.9, application/openmetrics-text;q=0"),
            Dialect::Prometheus,
            "the exact range wins over application/*"
        );
        assert_eq!(pick("application/json"), Dialect::Prometheus);
    }
}
