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

/// Parses a condition; `Err` names the problem.
pub fn parse(s: &str) -> Result<Cond, String> {
    let toks = tokens(s);
    let mut pos = 0;
    let c = or(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(format!("unexpected `{}` in condition", toks[pos]));
    }
    Ok(c)
}

fn or(t: &[String], pos: &mut usize) -> Result<Cond, String> {
    let mut parts = vec![and(t, pos)?];
    while t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("or")) {
        *pos += 1;
        parts.push(and(t, pos)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Cond::Or(parts)
    })
}

fn and(t: &[String], pos: &mut usize) -> Result<Cond, String> {
    let mut parts = vec![not(t, pos)?];
    while t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("and")) {
        *pos += 1;
        parts.push(not(t, pos)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Cond::And(parts)
    })
}

fn not(t: &[String], pos: &mut usize) -> Result<Cond, String> {
    if t.get(*pos).is_some_and(|w| w.eq_ignore_ascii_case("not")) {
        *pos += 1;
        return Ok(Cond::Not(Box::new(not(t, pos)?)));
    }
    primary(t, pos)
}

fn primary(t: &[String], pos: &mut usize) -> Result<Cond, String> {
    let Some(word) = t.get(*pos) else {
        return Err("the condition ends too early".into());
    };
    *pos += 1;
    match word.as_str() {
        "(" => {
            let inner = or(t, pos)?;
            if t.get(*pos).map(String::as_str) != Some(")") {
                return Err("missing `)` in condition".into());
            }
            *pos += 1;
            Ok(inner)
        }
        "1" | "all" if t.get(*pos).is_some_and(|w| w == "of") => {
            *pos += 1;
            let pattern = t
                .get(*pos)
                .ok_or("`of` needs a name pattern or `them`")?
                .clone();
            *pos += 1;
            Ok(Cond::Of {
                all: word == "all",
                pattern: if pattern == "them" {
                    "*".into()
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

/// Whether a selection name matches a pattern with a trailing `*` (or equals it).
pub fn name_matches(pattern: &str, name: &str) -> bool {
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
}
