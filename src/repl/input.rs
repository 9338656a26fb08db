//! Reading input: a small SPARQL lexer, and the rule that says when a query is complete.
//!
//! The shell and script mode share one [`Splitter`]: it takes lines and hands back entries,
//! a dot-command per line or a query once it is complete. A query is complete when it
//! parses, when a line ends with `;` outside any bracket (the `;` is dropped, so a query
//! that does not parse yet can still be sent to see why), or when no usual ending (a
//! `WHERE` clause, an `ORDER BY` key, a `LIMIT` number...) would make it parse: that is a
//! mistake, not missing text, and running it shows the error. Unbalanced brackets or an
//! open string always ask for more.

use crate::query;

/// What a stretch of query text is, for highlighting, balancing and completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Spaces and line breaks.
    Space,
    /// `# ...` to the end of the line.
    Comment,
    /// A SPARQL keyword or built-in function name.
    Keyword,
    /// Any other bare word.
    Word,
    /// `?name` or `$name`.
    Variable,
    /// `<...>`.
    Iri,
    /// `prefix:local`, `prefix:` or `_:blank`.
    Name,
    /// A string (with its language tag), number or boolean.
    Literal,
    /// A string still open at the end of the text (or of its line, for short strings).
    Unterminated,
    /// `(`, `{` or `[`.
    Open,
    /// `)`, `}` or `]`.
    Close,
    /// Any other character.
    Punct,
}

/// One token: its kind and byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub kind: Kind,
    /// Where it starts (bytes).
    pub start: usize,
    /// Where it ends (bytes, exclusive).
    pub end: usize,
}

/// SPARQL 1.1 keywords and built-in functions, upper case, for highlighting and completion.
pub(crate) const KEYWORDS: &[&str] = &[
    "ABS",
    "ADD",
    "ALL",
    "AS",
    "ASC",
    "ASK",
    "AVG",
    "BASE",
    "BIND",
    "BNODE",
    "BOUND",
    "BY",
    "CEIL",
    "COALESCE",
    "CONCAT",
    "CONSTRUCT",
    "CONTAINS",
    "COUNT",
    "DATATYPE",
    "DAY",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "ENCODE_FOR_URI",
    "EXISTS",
    "FILTER",
    "FLOOR",
    "FROM",
    "GRAPH",
    "GROUP",
    "GROUP_CONCAT",
    "HAVING",
    "HOURS",
    "IF",
    "IN",
    "IRI",
    "ISBLANK",
    "ISIRI",
    "ISLITERAL",
    "ISNUMERIC",
    "ISURI",
    "LANG",
    "LANGMATCHES",
    "LCASE",
    "LIMIT",
    "MAX",
    "MD5",
    "MIN",
    "MINUS",
    "MINUTES",
    "MONTH",
    "NAMED",
    "NOT",
    "NOW",
    "OFFSET",
    "OPTIONAL",
    "ORDER",
    "PREFIX",
    "RAND",
    "REDUCED",
    "REGEX",
    "REPLACE",
    "ROUND",
    "SAMETERM",
    "SAMPLE",
    "SECONDS",
    "SELECT",
    "SEPARATOR",
    "SERVICE",
    "SHA1",
    "SHA256",
    "SHA512",
    "STR",
    "STRAFTER",
    "STRBEFORE",
    "STRDT",
    "STRENDS",
    "STRLANG",
    "STRLEN",
    "STRSTARTS",
    "STRUUID",
    "SUBSTR",
    "SUM",
    "TIMEZONE",
    "TZ",
    "UCASE",
    "UNDEF",
    "UNION",
    "URI",
    "UUID",
    "VALUES",
    "WHERE",
    "YEAR",
];

/// Whether a bare word is a keyword (any case), counting `a` for `rdf:type`.
pub(crate) fn is_keyword(word: &str) -> bool {
    word == "a"
        || KEYWORDS
            .binary_search(&word.to_ascii_uppercase().as_str())
            .is_ok()
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '%' | '\u{b7}')
}

/// Splits text into tokens; every byte belongs to exactly one token.
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let rest = &text[start..];
        let kind;
        let mut end = start + c.len_utf8();
        if c.is_whitespace() {
            kind = Kind::Space;
            end = start
                + rest
                    .find(|c: char| !c.is_whitespace())
                    .unwrap_or(rest.len());
        } else if c == '#' {
            kind = Kind::Comment;
            end = start + rest.find('\n').unwrap_or(rest.len());
        } else if c == '"' || c == '\'' {
            let (len, closed) = string_length(rest, c);
            end = start + len;
            if closed {
                if let Some(tag) = text[end..].strip_prefix('@') {
                    end += 1 + tag
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                        .unwrap_or(tag.len());
                }
            }
            kind = if closed {
                Kind::Literal
            } else {
                Kind::Unterminated
            };
        } else if c == '<' && iri_length(rest).is_some() {
            kind = Kind::Iri;
            end = start + iri_length(rest).unwrap_or(1);
        } else if (c == '?' || c == '$')
            && rest[1..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            kind = Kind::Variable;
            end = start
                + 1
                + rest[1..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\u{b7}'))
                    .unwrap_or(rest.len() - 1);
        } else if c.is_ascii_digit() {
            kind = Kind::Literal;
            end = start + number_length(rest);
        } else if c.is_alphabetic() || c == '_' || c == ':' {
            let mut len = rest.find(|c| !is_name_char(c)).unwrap_or(rest.len());
            // A name never ends with '.': that dot ends the triple.
            while rest[..len].ends_with('.') {
                len -= 1;
            }
            let word = &rest[..len];
            end = start + len;
            kind = if word.contains(':') {
                Kind::Name
            } else if word == "true" || word == "false" {
                Kind::Literal
            } else if is_keyword(word) {
                Kind::Keyword
            } else {
                Kind::Word
            };
        } else if matches!(c, '(' | '{' | '[') {
            kind = Kind::Open;
        } else if matches!(c, ')' | '}' | ']') {
            kind = Kind::Close;
        } else {
            kind = Kind::Punct;
        }
        while chars.peek().is_some_and(|(i, _)| *i < end) {
            chars.next();
        }
        out.push(Token { kind, start, end });
    }
    out
}

/// The length of a string starting at `text[0] == quote`, and whether it is closed.
fn string_length(text: &str, quote: char) -> (usize, bool) {
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let long = text.starts_with(&triple);
    let open = if long { 3 } else { 1 };
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        let at = open + i;
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if !long && c == '\n' {
            return (at, false);
        } else if long && text[at..].starts_with(&triple) {
            return (at + 3, true);
        } else if !long && c == quote {
            return (at + 1, true);
        }
    }
    (text.len(), false)
}

/// The length of `<...>` when the text starts with a well-formed IRI reference.
fn iri_length(text: &str) -> Option<usize> {
    for (i, c) in text.char_indices().skip(1) {
        match c {
            '>' => return Some(i + 1),
            '<' | '"' | '{' | '}' | '|' | '^' | '`' | '\\' => return None,
            c if c.is_whitespace() || c.is_control() => return None,
            _ => {}
        }
    }
    None
}

fn number_length(text: &str) -> usize {
    let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let mut len = digits(text);
    if text[len..].starts_with('.') && text[len + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        len += 1 + digits(&text[len + 1..]);
    }
    if text[len..].starts_with(['e', 'E']) {
        let sign = usize::from(text[len + 1..].starts_with(['+', '-']));
        let exponent = digits(&text[len + 1 + sign..]);
        if exponent > 0 {
            len += 1 + sign + exponent;
        }
    }
    len
}

/// Whether a token carries meaning (is not space or a comment).
pub(crate) fn significant(token: &Token) -> bool {
    !matches!(token.kind, Kind::Space | Kind::Comment)
}

/// Variables used in a text, in order of first use, without duplicates (`?x` and `$x` both).
pub(crate) fn variables(text: &str) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for t in tokens(text).iter().filter(|t| t.kind == Kind::Variable) {
        let v = &text[t.start..t.end];
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

/// Prefixes a query uses (`foaf` for `foaf:name`) that neither `declared` nor its own
/// `PREFIX` lines declare.
pub(crate) fn undeclared_prefixes<'t>(text: &'t str, declared: &[&str]) -> Vec<&'t str> {
    let toks: Vec<Token> = tokens(text).into_iter().filter(significant).collect();
    let word = |t: &Token| &text[t.start..t.end];
    let own: Vec<&str> = toks
        .windows(2)
        .filter(|w| word(&w[0]).eq_ignore_ascii_case("PREFIX") && w[1].kind == Kind::Name)
        .map(|w| word(&w[1]).trim_end_matches(':'))
        .collect();
    let mut unknown = Vec::new();
    for t in toks.iter().filter(|t| t.kind == Kind::Name) {
        let prefix = word(t).split(':').next().unwrap_or_default();
        if prefix != "_"
            && !declared.contains(&prefix)
            && !own.contains(&prefix)
            && !unknown.contains(&prefix)
        {
            unknown.push(prefix);
        }
    }
    unknown
}

/// Whether a query text is ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Run this text (a trailing `;` terminator removed).
    Complete(String),
    /// Wait for more lines.
    Incomplete,
}

/// Decides whether `text` is a complete query (see the module docs for the rule).
pub(crate) fn status(text: &str, prefixes: &[(&str, &str)]) -> Status {
    let toks = tokens(text);
    let depth: i64 = toks
        .iter()
        .map(|t| match t.kind {
            Kind::Open => 1,
            Kind::Close => -1,
            _ => 0,
        })
        .sum();
    let open_string = toks.iter().any(|t| t.kind == Kind::Unterminated);
    let Some(last) = toks.iter().rev().find(|t| significant(t)) else {
        return Status::Incomplete;
    };
    if depth <= 0 && !open_string && &text[last.start..last.end] == ";" {
        let mut stripped = text.to_owned();
        stripped.replace_range(last.start..last.end, "");
        return Status::Complete(stripped.trim_end().to_owned());
    }
    if depth > 0 || open_string {
        return Status::Incomplete;
    }
    let parses = |text: &str| query::parse_with(text, prefixes.iter().copied()).is_ok();
    if parses(text) || !CONTINUATIONS.iter().any(|c| parses(&format!("{text}{c}"))) {
        Status::Complete(text.trim_end().to_owned())
    } else {
        Status::Incomplete
    }
}

/// Endings that finish the usual unfinished queries: `SELECT ?x`, `PREFIX p: <...>`,
/// `CONSTRUCT { ... }`, `ORDER BY`, `LIMIT`, `HAVING`... A text that no such ending repairs
/// is a mistake, not missing text, and runs at once to show the error.
const CONTINUATIONS: &[&str] = &[
    " {}",
    " * {}",
    " {} {}",
    " WHERE {}",
    " SELECT * {}",
    " ?x",
    " BY ?x",
    " 1",
    " (1)",
];

/// One thing to run: a dot-command or a query, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The command line or query text.
    pub text: String,
    /// 1-based line where it starts in its script (1 at the prompt).
    pub line: usize,
    /// A dot-command rather than a query.
    pub dot: bool,
}

/// Turns lines into entries: dot-commands are one line, queries run once complete.
#[derive(Debug, Default)]
pub(crate) struct Splitter {
    pending: String,
    start: usize,
    line: usize,
}

impl Splitter {
    /// Adds one line; returns the entry it completes, if any.
    pub fn push(&mut self, line: &str, prefixes: &[(&str, &str)]) -> Option<Entry> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        self.line += 1;
        if self.pending.is_empty() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            if trimmed.starts_with('.') {
                return Some(Entry {
                    text: trimmed.trim_end_matches(';').trim_end().to_owned(),
                    line: self.line,
                    dot: true,
                });
            }
            self.start = self.line;
        } else {
            self.pending.push('\n');
        }
        self.pending.push_str(line);
        match status(&self.pending, prefixes) {
            Status::Complete(text) => {
                self.pending.clear();
                Some(Entry {
                    text,
                    line: self.start,
                    dot: false,
                })
            }
            Status::Incomplete => None,
        }
    }

    /// At the end of input: whatever is pending, to be run (and fail) as it is.
    pub fn finish(&mut self) -> Option<Entry> {
        let text = std::mem::take(&mut self.pending);
        let meaningful = tokens(&text).iter().any(significant);
        meaningful.then(|| Entry {
            text: text.trim_end().to_owned(),
            line: self.start,
            dot: false,
        })
    }

    /// The lines of the query being typed, if any.
    pub fn pending(&self) -> &str {
        &self.pending
    }

    /// Drops the query being typed (Ctrl-C).
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefixes::PREFIXES;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text)
            .into_iter()
            .filter(significant)
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn lexes_the_parts_of_a_query() {
        let text = "SELECT ?n WHERE { ?p a foaf:Person ; rdfs:label \"x\\\"y\"@en . <http://e/x> ?q 1.5e3 } # done";
        assert_eq!(
            kinds(text),
            vec![
                (Kind::Keyword, "SELECT"),
                (Kind::Variable, "?n"),
                (Kind::Keyword, "WHERE"),
                (Kind::Open, "{"),
                (Kind::Variable, "?p"),
                (Kind::Keyword, "a"),
                (Kind::Name, "foaf:Person"),
                (Kind::Punct, ";"),
                (Kind::Name, "rdfs:label"),
                (Kind::Literal, "\"x\\\"y\"@en"),
                (Kind::Punct, "."),
                (Kind::Iri, "<http://e/x>"),
                (Kind::Variable, "?q"),
                (Kind::Literal, "1.5e3"),
                (Kind::Close, "}"),
            ]
        );
        assert_eq!(tokens(text).last().unwrap().kind, Kind::Comment);
        // `<` as an operator is not an IRI; a name's final dot ends the triple.
        assert_eq!(kinds("?a < ?b")[1], (Kind::Punct, "<"));
        assert_eq!(kinds("?s ?p area:1.")[2], (Kind::Name, "area:1"));
    }

    #[test]
    fn tracks_long_and_open_strings() {
        assert_eq!(kinds("'''a\n'b'\n'''")[0].0, Kind::Literal);
        assert_eq!(kinds("\"\"\"open\n")[0].0, Kind::Unterminated);
        assert_eq!(kinds("\"short\n?x")[0], (Kind::Unterminated, "\"short"));
        assert_eq!(kinds("\"short\n?x")[1], (Kind::Variable, "?x"));
    }

    #[test]
    fn completeness() {
        let complete = |t: &str| status(t, PREFIXES);
        assert_eq!(complete("SELECT (COUNT(*) AS ?n)"), Status::Incomplete);
        assert_eq!(complete("SELECT ?x WHERE { ?x ?p"), Status::Incomplete);
        assert_eq!(
            complete("SELECT ?x WHERE { ?x ?p \"abc"),
            Status::Incomplete
        );
        assert_eq!(complete("PREFIX ex: <http://ex/>"), Status::Incomplete);
        assert_eq!(
            complete("SELECT ?x WHERE { ?x ?p ?o }  # c"),
            Status::Complete("SELECT ?x WHERE { ?x ?p ?o }  # c".into())
        );
        // A mistake before the end is complete: running it shows the error.
        assert!(matches!(
            complete("SELECT ?x WHERE { ?x ?p ?o } LIMT 5"),
            Status::Complete(_)
        ));
        assert!(matches!(
            complete("SELECT * WHERE { ?x fooo:bar ?o }"),
            Status::Complete(_)
        ));
        assert!(matches!(
            complete("SELECT ?x WHERE { ?x ?p }"),
            Status::Complete(_)
        ));
        assert_eq!(complete("CONSTRUCT { ?s ?p ?o }"), Status::Incomplete);
        assert_eq!(
            complete("SELECT * { ?s ?p ?o } ORDER BY"),
            Status::Incomplete
        );
        assert_eq!(complete("SELECT * { ?s ?p ?o } LIMIT"), Status::Incomplete);
        // `;` at the end, outside brackets, forces it; inside braces it is SPARQL's own.
        assert_eq!(
            complete("SELECT ?x WHERE { ?x ?p } ;"),
            Status::Complete("SELECT ?x WHERE { ?x ?p }".into())
        );
        assert_eq!(
            complete("SELECT ?n WHERE { ?p a foaf:Person ;"),
            Status::Incomplete
        );
    }

    #[test]
    fn splits_a_script_into_entries() {
        let script = "# a comment\n.format csv\nSELECT ?n\nWHERE {\n  ?p a foaf:Person ;\n     foaf:name ?n }\n\n.timer on;\nASK { ?s ?p ?o";
        let mut splitter = Splitter::default();
        let entries: Vec<Entry> = script
            .lines()
            .filter_map(|l| splitter.push(l, PREFIXES))
            .collect();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].text, ".format csv");
        assert!(entries[0].dot);
        assert_eq!(entries[1].line, 3);
        assert!(entries[1].text.ends_with("foaf:name ?n }"));
        assert_eq!(entries[2].text, ".timer on");
        assert_eq!(splitter.pending(), "ASK { ?s ?p ?o");
        let last = splitter.finish().unwrap();
        assert_eq!((last.line, last.dot), (9, false));
        assert_eq!(splitter.finish(), None);
    }

    #[test]
    fn finds_undeclared_prefixes() {
        let text = "PREFIX ex: <http://ex/> SELECT * { ?s foaff:name ex:x ; _:b rdfs:label }";
        assert_eq!(undeclared_prefixes(text, &["rdfs", "foaf"]), vec!["foaff"]);
        assert_eq!(variables("SELECT ?a $b ?a"), vec!["?a", "$b"]);
    }
}
