//! ANSI colours for the line being edited: keywords, variables, IRIs and prefixed names,
//! literals, comments, and the bracket matching the one at the cursor.
//!
//! Only escape sequences are added, so the coloured line has the width of the plain one
//! (the line editor relies on that to place the cursor).

use super::input::{tokens, Kind, Token};

const RESET: &str = "\x1b[0m";
const KEYWORD: &str = "\x1b[1;34m";
const VARIABLE: &str = "\x1b[36m";
const TERM: &str = "\x1b[32m";
const LITERAL: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[90m";
const ERROR: &str = "\x1b[31m";
const MATCH: &str = "\x1b[1;7m";
const COMMAND: &str = "\x1b[1m";

/// Colours `line`, the last line of a query whose earlier lines are `pending` (so a string
/// opened on an earlier line is still a string here). With `cursor`, the bracket matching
/// the one at or just before that byte position is shown in reverse video.
pub(crate) fn highlight(pending: &str, line: &str, cursor: Option<usize>) -> String {
    if pending.is_empty() && line.trim_start().starts_with('.') {
        let end = line.find(|c: char| !c.is_whitespace()).unwrap_or(0);
        let end = end
            + line[end..]
                .find(char::is_whitespace)
                .unwrap_or(line.len() - end);
        return format!("{COMMAND}{}{RESET}{}", &line[..end], &line[end..]);
    }
    let offset = if pending.is_empty() {
        0
    } else {
        pending.len() + 1
    };
    let text = if pending.is_empty() {
        line.to_owned()
    } else {
        format!("{pending}\n{line}")
    };
    let toks = tokens(&text);
    let matched = cursor.and_then(|c| matching_bracket(&text, &toks, offset + c));
    let mut out = String::with_capacity(line.len() * 2);
    for (index, token) in toks.iter().enumerate() {
        if token.end <= offset {
            continue;
        }
        let piece = &text[token.start.max(offset)..token.end];
        let colour = if Some(index) == matched {
            Some(MATCH)
        } else {
            match token.kind {
                Kind::Keyword => Some(KEYWORD),
                Kind::Variable => Some(VARIABLE),
                Kind::Iri | Kind::Name => Some(TERM),
                Kind::Literal => Some(LITERAL),
                Kind::Comment => Some(COMMENT),
                Kind::Unterminated => Some(ERROR),
                _ => None,
            }
        };
        match colour {
            Some(colour) => {
                out.push_str(colour);
                out.push_str(piece);
                out.push_str(RESET);
            }
            None => out.push_str(piece),
        }
    }
    out
}

/// The index of the token matching the bracket at `at` (or just before it), if any.
fn matching_bracket(text: &str, toks: &[Token], at: usize) -> Option<usize> {
    let is_bracket = |t: &Token| matches!(t.kind, Kind::Open | Kind::Close);
    let here = toks
        .iter()
        .position(|t| t.start == at && is_bracket(t))
        .or_else(|| toks.iter().position(|t| t.end == at && is_bracket(t)))?;
    let pair = |t: &Token| match &text[t.start..t.end] {
        "(" | ")" => 0,
        "{" | "}" => 1,
        _ => 2,
    };
    let kind = pair(&toks[here]);
    let mut depth = 0i32;
    if toks[here].kind == Kind::Open {
        for (i, t) in toks.iter().enumerate().skip(here) {
            if is_bracket(t) && pair(t) == kind {
                depth += if t.kind == Kind::Open { 1 } else { -1 };
                if depth == 0 {
                    return Some(i);
                }
            }
        }
    } else {
        for (i, t) in toks.iter().enumerate().take(here + 1).rev() {
            if is_bracket(t) && pair(t) == kind {
                depth += if t.kind == Kind::Close { 1 } else { -1 };
                if depth == 0 {
                    return Some(i);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut escape = false;
        for c in s.chars() {
            match (escape, c) {
                (_, '\x1b') => escape = true,
                (true, c) if c.is_ascii_alphabetic() => escape = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn colours_without_changing_the_text() {
        let line = "SELECT ?n WHERE { ?p foaf:name ?n ; <http://x/y> \"v\"@en } # c";
        let shown = highlight("", line, None);
        assert_eq!(strip(&shown), line);
        assert!(shown.starts_with(&format!("{KEYWORD}SELECT{RESET}")));
        assert!(shown.contains(&format!("{VARIABLE}?n{RESET}")));
        assert!(shown.contains(&format!("{TERM}foaf:name{RESET}")));
        assert!(shown.contains(&format!("{LITERAL}\"v\"@en{RESET}")));
        assert!(shown.ends_with(&format!("{COMMENT}# c{RESET}")));
    }

    #[test]
    fn a_string_opened_earlier_continues() {
        let shown = highlight("SELECT * { ?s ?p \"\"\"a long", "text\"\"\" }", None);
        assert!(
            shown.starts_with(&format!("{LITERAL}text\"\"\"{RESET}")),
            "{shown:?}"
        );
    }

    #[test]
    fn shows_the_matching_bracket() {
        let line = "{ (a) }";
        let shown = highlight("", line, Some(0));
        assert!(shown.ends_with(&format!("{MATCH}}}{RESET}")), "{shown:?}");
        let shown = highlight("", line, Some(5));
        assert!(shown.contains(&format!("{MATCH}({RESET}")), "{shown:?}");
        assert_eq!(highlight("", "x y", Some(1)), "x y");
    }

    #[test]
    fn dot_commands_show_the_command() {
        assert_eq!(
            highlight("", ".format csv", None),
            format!("{COMMAND}.format{RESET} csv")
        );
    }
}
