//! The `condition` expression of a Sigma detection.

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Name(String),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    /// `1 of pattern` (any) or `all of pattern`; `them` is the pattern `*`.
    Of {
        all: bool,
        pattern: String,
    },
}

fn tokens(s: &str) -> Vec<String> {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    spaced.split_whitespace().map(str::to_owned).collect()
}

/// Longest condition accepted, in bytes.
pub const MAX_CONDITION_BYTES: usize = 4096;
/// Deepest nesting of parentheses and `not` accepted: every level is a stack frame when
/// parsing and when matching, so an unbounded one would let a rule overflow the stack.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// Parses a condition; `Err` names the problem.
pub fn parse(s: &str) -> Result<Cond, String> {
    if s.len() > MAX_CONDITION_BYTES {
        return Err(format!(
            "the condition is longer than {MAX_CONDITION_BYTES} bytes (the limit)"
        ));
    }
    let toks = tokens(s);
    let mut p = Parser {
        t: &toks,
        pos: 0,
        depth: 0,
    };
    let c = p.or()?;
    if p.pos != toks.len() {
        return Err(format!("unexpected `{}` in condition", toks[p.pos]));
    }
    Ok(c)
}

struct Parser<'a> {
    t: &'a [String],
    pos: usize,
    /// Parentheses and `not`s open around the current token.
    depth: usize,
}

impl Parser<'_> {
    fn peek_is(&self, word: &str) -> bool {
        self.t
            .get(self.pos)
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    }

    /// Enters one nesting level, refusing to go deeper than the limit.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        if self.depth >= MAX_CONDITION_DEPTH {
            return Err(format!(
                "the condition nests parentheses and `not` more than {MAX_CONDITION_DEPTH} levels deep (the limit)"
            ));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn or(&mut self) -> Result<Cond, String> {
        let mut parts = vec![self.and()?];
        while self.peek_is("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut parts = vec![self.not()?];
        while self.peek_is("and") {
            self.pos += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::And(parts)
        })
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.peek_is("not") {
            self.pos += 1;
            return self.nested(|p| Ok(Cond::Not(Box::new(p.not()?))));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, String> {
        let t = self.t;
        let Some(word) = t.get(self.pos) else {
            return Err("the condition ends too early".into());
        };
        self.pos += 1;
        match word.as_str() {
            "(" => {
                let inner = self.nested(Self::or)?;
                if t.get(self.pos).map(String::as_str) != Some(")") {
                    return Err("missing `)` in condition".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            w if t
                .get(self.pos)
                .is_some_and(|next| next.eq_ignore_ascii_case("of")) =>
            {
                // Sigma's quantifiers: `1 of` (also written `any of`) and `all of`.
                let all = match w.to_ascii_lowercase().as_str() {
                    "1" | "any" => false,
                    "all" => true,
                    _ => {
                        return Err(format!(
                            "`{w} of` is not Sigma: write `1 of`, `any of` or `all of`"
                        ));
                    }
                };
                self.pos += 1;
                let pattern = t
                    .get(self.pos)
                    .ok_or("`of` needs a name pattern or `them`")?
                    .clone();
                self.pos += 1;
                Ok(Cond::Of {
                    all,
                    pattern: if pattern.eq_ignore_ascii_case("them") {
                        THEM.into()
                    } else {
                        pattern
                    },
                })
            }
            ")" | "and" | "or" | "|" => Err(format!("unexpected `{word}` in condition")),
            w if w.contains('|') => Err("aggregations (`| count()`) are not supported".into()),
            w => Ok(Cond::Name(w.to_owned())),
        }
    }
}

/// The pattern `them` stands for: every selection but those whose names start with `_`,
/// which Sigma (pySigma) keeps out of `them` for use by name only.
const THEM: &str = "*";

/// Whether a selection name matches a pattern with a trailing `*` (or equals it).
pub fn name_matches(pattern: &str, name: &str) -> bool {
    if pattern == THEM {
        return !name.starts_with('_');
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::{Cond::*, *};

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let c = parse("a or b and not c").unwrap();
        assert_eq!(
            c,
            Or(vec![
                Name("a".into()),
                And(vec![Name("b".into()), Not(Box::new(Name("c".into())))])
            ])
        );
        let p = parse("(a or b) and c").unwrap();
        assert_eq!(
            p,
            And(vec![
                Or(vec![Name("a".into()), Name("b".into())]),
                Name("c".into())
            ])
        );
    }

    #[test]
    fn of_forms_parse() {
        assert_eq!(
            parse("1 of sel*").unwrap(),
            Of {
                all: false,
                pattern: "sel*".into()
            }
        );
        assert_eq!(
            parse("all of them").unwrap(),
            Of {
                all: true,
                pattern: "*".into()
            }
        );
    }

    #[test]
    fn malformed_conditions_are_refused() {
        assert!(parse("a and").is_err());
        assert!(parse("(a or b").is_err());
        assert!(parse("sel | count() > 5").is_err());
    }

    #[test]
    fn nesting_beyond_the_depth_limit_is_refused_without_overflowing_the_stack() {
        let nested = |n: usize| format!("{}sel{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(
            parse(&nested(MAX_CONDITION_DEPTH)).unwrap(),
            Name("sel".into())
        );
        let deep = parse(&nested(MAX_CONDITION_DEPTH + 1)).unwrap_err();
        assert!(deep.contains("32 levels deep"), "{deep}");
        let nots = format!("{}sel", "not ".repeat(MAX_CONDITION_DEPTH + 1));
        assert!(parse(&nots).unwrap_err().contains("levels deep"));
        // Far past any stack: refused by the length limit before tokenising...
        let huge = parse(&nested(100_000)).unwrap_err();
        assert!(huge.contains("4096 bytes"), "{huge}");
        // ...and, within the length limit, by the depth limit.
        assert!(parse(&nested(2000)).unwrap_err().contains("levels deep"));
    }
}
