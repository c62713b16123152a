//! The `/` filter: space-separated terms that must all match.
//!
//! * `:443` — a port (local or remote);
//! * `state:close_wait` (or `state:CLOSE-WAIT`, `state:cw`, any name
//!   [`TcpState::parse`] takes) — rows with sockets in that state; an
//!   unknown state is a [`Filter::problem`] that lists the valid ones;
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
    /// Why a term cannot match anything (`state:foo`, `:99999`), naming
    /// what is valid; shown instead of "no row matches".
    pub problem: Option<String>,
}

impl Filter {
    /// Parses `text`. A term that looks like a port or a state but is not a
    /// valid one (`:99999`, `state:bogus`) is kept as plain text, so it
    /// simply matches nothing rather than everything, and sets
    /// [`Filter::problem`].
    pub fn parse(text: &str) -> Filter {
        let mut problem = None;
        let terms = text
            .split_whitespace()
            .map(|t| {
                let state = t
                    .strip_prefix("state:")
                    .or_else(|| t.strip_prefix("STATE:"));
                let port = t.strip_prefix(':');
                if let Some(port) = port.and_then(|p| p.parse().ok()) {
                    Term::Port(port)
                } else if let Some(state) = state.and_then(TcpState::parse) {
                    Term::State(state)
                } else if let Some(name) = t
                    .strip_prefix("netns:")
                    .or_else(|| t.strip_prefix("NETNS:"))
                    .filter(|n| !n.is_empty())
                {
                    Term::Netns(name.to_lowercase())
                } else {
                    if let Some(state) = state {
                        problem.get_or_insert_with(|| unknown_state(state));
                    } else if let Some(p) = port.filter(|p| p.bytes().all(|b| b.is_ascii_digit())) {
                        problem.get_or_insert_with(|| {
                            format!("port {p} does not exist: ports are 0 to 65535")
                        });
                    }
                    Term::Text(t.to_lowercase())
                }
            })
            .collect();
        Filter {
            text: text.to_owned(),
            terms,
            problem,
        }
    }

    /// What an empty table of `rows` (`listener`, `remote`) says: the
    /// [`Filter::problem`] when there is one, else that nothing matches.
    pub fn no_match(&self, rows: &str) -> String {
        match &self.problem {
            Some(p) => format!("{p} (Esc clears the filter)"),
            None => format!("no {rows} matches the filter (Esc clears it)"),
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

/// The problem of `state:NAME` with an unknown NAME: the valid names, as
/// `ss` prints them, with their other accepted names in parentheses.
fn unknown_state(name: &str) -> String {
    let valid: Vec<String> = TcpState::ALL
        .iter()
        .map(|&s| {
            let name = s.ss_name().to_ascii_lowercase();
            let others: Vec<&str> = TcpState::ABBREVIATIONS
                .iter()
                .filter(|(_, a)| *a == s)
                .map(|(short, _)| *short)
                .collect();
            if others.is_empty() {
                name
            } else {
                format!("{name} ({})", others.join(", "))
            }
        })
        .collect();
    format!("unknown state \"{name}\"; use one of {}", valid.join(", "))
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
        assert_eq!(
            f.problem.as_deref(),
            Some("port 99999 does not exist: ports are 0 to 65535"),
            "the first problem is kept"
        );
    }

    #[test]
    fn states_take_the_names_ss_users_type() {
        let state = |t: &str| match Filter::parse(&format!("state:{t}")).terms[..] {
            [Term::State(s)] => Some(s),
            _ => None,
        };
        use TcpState::*;
        for (typed, want) in [
            ("tw", TimeWait),
            ("TW", TimeWait),
            ("cw", CloseWait),
            ("estab", Established),
            ("established", Established),
            ("syn-recv", SynRecv),
            ("syn_recv", SynRecv),
            ("syn-sent", SynSent),
            ("fin-wait-1", FinWait1),
            ("fin_wait1", FinWait1),
            ("fw2", FinWait2),
            ("time-wait", TimeWait),
            ("close-wait", CloseWait),
            ("last-ack", LastAck),
            ("listening", Listen),
            ("listen", Listen),
            ("closed", Close),
            ("unconn", Close),
        ] {
            assert_eq!(state(typed), Some(want), "state:{typed}");
        }
        assert_eq!(state("foo"), None);
    }

    #[test]
    fn an_unknown_state_lists_the_valid_ones() {
        let f = Filter::parse(":80 state:foo");
        assert_eq!(
            f.terms[1],
            Term::Text("state:foo".into()),
            "matches nothing"
        );
        assert_eq!(
            f.problem.as_deref(),
            Some(
                "unknown state \"foo\"; use one of estab, syn-sent, syn-recv, fin-wait-1 (fw1), \
                 fin-wait-2 (fw2), time-wait (tw), unconn (closed), close-wait (cw), last-ack, \
                 listen (listening), closing"
            )
        );
        assert_eq!(
            f.no_match("listener"),
            format!("{} (Esc clears the filter)", f.problem.as_deref().unwrap())
        );
        let fine = Filter::parse("state:tw nginx");
        assert_eq!(fine.problem, None);
        assert_eq!(
            fine.no_match("listener"),
            "no listener matches the filter (Esc clears it)"
        );
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
