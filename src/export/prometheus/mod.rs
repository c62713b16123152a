//! The Prometheus exposition of sockscope's figures: [`families`] builds the
//! metric families of one scrape, [`encode`] writes them in the Prometheus
//! text format (0.0.4) or in OpenMetrics 1.0.

mod encode;
mod families;
mod remotes;

pub use encode::{Dialect, encode};
pub use families::{AlertInput, ExporterStats, Limits, ScrapeInput, families};

/// Whether a family is a gauge or a counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// A value that only rises (since boot, or since the exporter started).
    Counter,
}

/// One sample: label pairs and a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Label name and value pairs, in output order.
    pub labels: Vec<(&'static str, String)>,
    /// The value.
    pub value: f64,
}

/// A metric family: name, help, kind and samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// The family name; a counter's samples add `_total` to it.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Gauge or counter.
    pub kind: Kind,
    /// The samples, possibly none.
    pub samples: Vec<Sample>,
}

impl Family {
    /// An empty gauge family.
    pub fn gauge(name: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            kind: Kind::Gauge,
            samples: Vec::new(),
        }
    }

    /// An empty counter family (`name` without `_total`).
    pub fn counter(name: &'static str, help: &'static str) -> Family {
        Family {
            kind: Kind::Counter,
            ..Family::gauge(name, help)
        }
    }

    /// Adds a sample.
    pub fn push(&mut self, labels: Vec<(&'static str, String)>, value: f64) {
        self.samples.push(Sample { labels, value });
    }
}
