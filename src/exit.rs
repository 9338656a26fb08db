//! Process exit codes: one enum, documented once, printed by `--help` and the README.

use std::fmt;

/// How a digicoop process ends. The numeric values are a stable interface for scripts.
///
/// | code | meaning |
/// |---|---|
/// | 0 | success; an ASK query answered `true` |
/// | 1 | an ASK query answered `false` |
/// | 2 | usage error: bad arguments, unknown saved query, missing or ill-typed parameter |
/// | 3 | syntax error in a query or an RDF file (the message gives line:column) |
/// | 4 | query evaluation error |
/// | 5 | data error: SHACL validation failed, or a file could not be read or loaded |
/// | 6 | the `--timeout` was exceeded |
/// | 7 | `--endpoint` failed: unreachable, an HTTP error, or an answer that cannot be read |
/// | 8 | the `--store` is in use by another process (a load, or readers when loading): retry later |
/// | 130 | interrupted by Ctrl-C |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success, or an ASK query that answered `true`.
    Success = 0,
    /// An ASK query that answered `false`.
    AskFalse = 1,
    /// Bad arguments, unknown saved query, missing or ill-typed parameter.
    Usage = 2,
    /// A query or RDF file that does not parse.
    Syntax = 3,
    /// A query that parsed but failed during evaluation.
    Evaluation = 4,
    /// Data that fails validation or cannot be read or loaded.
    Data = 5,
    /// A query that ran longer than `--timeout`.
    Timeout = 6,
    /// A SPARQL endpoint that cannot be reached, answers with an HTTP error, or sends
    /// results that cannot be read.
    Endpoint = 7,
    /// An on-disk store (`--store`) that another process holds: a load in progress, or
    /// readers when this process wants to load.
    Busy = 8,
    /// The user pressed Ctrl-C.
    Interrupted = 130,
}

impl Exit {
    /// Every exit code, in numeric order, for help texts and tests.
    pub const ALL: [Exit; 10] = [
        Exit::Success,
        Exit::AskFalse,
        Exit::Usage,
        Exit::Syntax,
        Exit::Evaluation,
        Exit::Data,
        Exit::Timeout,
        Exit::Endpoint,
        Exit::Busy,
        Exit::Interrupted,
    ];

    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// A one-line description, as shown in `digicoop --help`.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success; ASK answered true",
            Exit::AskFalse => "ASK answered false",
            Exit::Usage => "usage error (arguments, unknown saved query, bad parameter)",
            Exit::Syntax => "syntax error in a query or RDF file (with line:column)",
            Exit::Evaluation => "query evaluation error",
            Exit::Data => "data error (validation failed, unreadable or unloadable file)",
            Exit::Timeout => "--timeout exceeded",
            Exit::Endpoint => "--endpoint failed (unreachable, HTTP error, unreadable answer)",
            Exit::Busy => "--store in use by another process (retry later)",
            Exit::Interrupted => "interrupted (Ctrl-C)",
        }
    }

    /// The exit-code table as plain text, for `--help`.
    pub fn table() -> String {
        Exit::ALL
            .iter()
            .map(|e| format!("  {:>3}  {}", e.code(), e.meaning()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_sorted() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(Exit::Interrupted.code(), 130);
    }

    #[test]
    fn table_lists_every_code() {
        let table = Exit::table();
        assert_eq!(table.lines().count(), Exit::ALL.len());
        assert!(table.contains("  6  --timeout exceeded"));
        assert!(table.contains("  7  --endpoint failed"));
    }
}
