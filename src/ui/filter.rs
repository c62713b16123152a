//! The `/` filter: space-separated terms that must all match.
//!
//! * `:443` — a port (local or remote);
//! * `state:close_wait` (or `state:CLOSE-WAIT`) — rows with sockets in that state;
//! * `netns:NAME` — rows of the namespaces whose label or container id
//!   contains NAME, case-insensitively (`netns:shop/` for every pod of
//!   Kubernetes namespace `shop`, `netns:docker:web-1`);
//! * anything else — a case-insensitive substring of an address, a path or a
//!   process name.

use crate::model::TcpState;

/// One term of a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// `:PORT`.
    Port(u16),
    /// `state:NAME`.
    State(TcpState),
    /// `netns:NAME`, lower-cased.
    Netns(String),
    /// Lower-cased free text.
    Text(String),
}

/// A parsed filter; empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// What the user typed.
    pub text: String,
    /// The terms, all of which must match.
    pub terms: Vec<Term>,
}

impl Filter {
    /// Parses `text`. A term that looks like a port or a state but is not a
    /// valid one (`:99999`, `state:bogus`) is kept as plain text, so it
    /// simply matches nothing rather than everything.
    pub fn parse(text: &str) -> Filter {
        let terms = text
            .split_whitespace()
            .map(|t| {
                if let Some(port) = t.strip_prefix(':').and_then(|p| p.parse().ok()) {
                    Term::Port(port)
                } else if let Some(state) = t
                    .strip_prefix("state:")
                    .or_else(|| t.strip_prefix("STATE:"))
                    .and_then(TcpState::parse)
                {
                    Term::State(state)
                } else if let Some(name) = t
                    .strip_prefix("netns:")
                    .or_else(|| t.strip_prefix("NETNS:"))
                    .filter(|n| !n.is_empty())
                {
                    Term::Netns(name.to_lowercase())
                } else {
                    Term::Text(t.to_lowercase())
                }
            })
            .collect();
        Filter {
            text: text.to_owned(),
            terms,
        }
    }

    /// True when there is nothing to filter by.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether a row of the namespace labelled `label` (container id `id`)
    /// passes the `netns:` terms.
    pub fn matches_netns(&self, label: &str, id: Option<&str>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Netns(n) => contains(label, n) || id.is_some_and(|id| contains(id, n)),
            _ => true,
        })
    }

    /// Whether a row matches: `port(p)`, `state(s)` and `text(t)` answer for
    /// that row whether it has port `p`, sockets in state `s`, and text `t`.
    /// `netns:` terms are left to [`Filter::matches_netns`].
    pub fn matches(
        &self,
        port: impl Fn(u16) -> bool,
        state: impl Fn(TcpState) -> bool,
        text: impl Fn(&str) -> bool,
    ) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Port(p) => port(*p),
            Term::State(s) => state(*s),
            Term::Text(t) => text(t),
            Term::Netns(_) => true,
        })
    }
}

/// Case-insensitive substring test against an already lower-cased needle.
pub fn contains(haystack: &str, lower_needle: &str) -> bool {
    haystack.to_lowercase().contains(lower_needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ports_states_and_text() {
        let f = Filter::parse(":443  state:close_wait Nginx state:CLOSE-WAIT :99999 state:nope");
        assert_eq!(
            f.terms,
            [
                Term::Port(443),
                Term::State(TcpState::CloseWait),
                Term::Text("nginx".into()),
                Term::State(TcpState::CloseWait),
                Term::Text(":99999".into()),
                Term::Text("state:nope".into()),
            ]
        );
        assert!(Filter::parse("  ").is_empty());
    }

    #[test]
    fn netns_terms_match_the_label_or_the_container_id() {
        let f = Filter::parse("netns:Shop/ :80");
        assert_eq!(f.terms[0], Term::Netns("shop/".into()));
        assert!(f.matches_netns("k8s:shop/cart-7d9f", Some("containerd:9a8b7c6d5e4f")));
        assert!(!f.matches_netns("k8s:default/web-0", None));
        assert!(
            f.matches(|p| p == 80, |_| false, |_| false),
            "left to matches_netns"
        );
        let by_id = Filter::parse("netns:docker:4f1c");
        assert!(by_id.matches_netns("docker:web-1", Some("docker:4f1c2b3a9d8e")));
        assert!(!by_id.matches_netns("docker:web-1", None));
        assert_eq!(Filter::parse("netns:").terms, [Term::Text("netns:".into())]);
    }

    #[test]
    fn every_term_must_match() {
        let f = Filter::parse(":80 10.0");
        assert!(f.matches(|p| p == 80, |_| false, |t| contains("10.0.0.1:80", t)));
        assert!(!f.matches(|p| p == 81, |_| false, |t| contains("10.0.0.1:81", t)));
        assert!(!f.matches(|p| p == 80, |_| false, |t| contains("127.0.0.1:80", t)));
    }
}
