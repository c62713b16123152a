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
    /// Picks OpenMetrics when the scraper's `Accept` header lists
    /// `application/openmetrics-text` with a quality above 0.
    pub fn negotiate(accept: Option<&str>) -> Dialect {
        let wants_openmetrics = accept.is_some_and(|a| {
            a.split(',').any(|range| {
                let mut parts = range.split(';').map(str::trim);
                let media = parts.next().unwrap_or_default();
                let q = parts
                    .filter_map(|p| p.strip_prefix("q="))
                    .find_map(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                media.eq_ignore_ascii_case("application/openmetrics-text") && q > 0.0
            })
        });
        if wants_openmetrics {
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
}
