//! A Sigma `detection` compiled to a matcher over JSON.

use ipnet::IpNet;
use regex::Regex;
use serde_json::Value;

use crate::{
    RuleError,
    condition::{self, Cond},
};

/// Most selections a detection may name.
pub const MAX_SELECTIONS: usize = 64;
/// Most values a detection may compare with, over all its selections.
pub const MAX_VALUES: usize = 1024;
/// Longest field path, in bytes, and most dotted segments in one.
pub const MAX_FIELD_PATH_BYTES: usize = 256;
pub const MAX_FIELD_PATH_SEGMENTS: usize = 16;
/// Largest compiled `re` pattern (the regex crate's default is 10 MiB per pattern).
const MAX_REGEX_BYTES: usize = 256 * 1024;

/// What a value is compared with.
#[derive(Debug, Clone)]
enum Pattern {
    Null,
    /// Lowercased text, compared by the field's operator.
    Text(String),
    /// Text with Sigma wildcards, or a `re` value.
    Regex(Regex),
    Cidr(IpNet),
    Exists(bool),
    /// `lt`, `lte`, `gt`, `gte`: the field's value compared, as a number, with this one.
    Compare(Cmp, Num),
    /// `fieldref`: the value of another field of the same record (a dotted path).
    FieldRef(Vec<String>),
}

/// A numeric comparison modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Cmp {
    fn parse(modifier: &str) -> Option<Self> {
        Some(match modifier {
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            _ => return None,
        })
    }

    /// Whether `value <op> wanted` holds.
    fn holds(self, value: Num, wanted: Num) -> bool {
        value.compare(wanted).is_some_and(|o| match self {
            Self::Lt => o.is_lt(),
            Self::Lte => o.is_le(),
            Self::Gt => o.is_gt(),
            Self::Gte => o.is_ge(),
        })
    }
}

/// A number compared by `lt`/`lte`/`gt`/`gte`: integers exactly, others as finite `f64`.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    /// A JSON number, or a string that is one (`"42"`, `"1.5"`, `"1e3"`); anything else
    /// (booleans, `NaN`, `inf`, text) is not a number.
    fn of(v: &Value) -> Option<Self> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .map(|i| Self::Int(i.into()))
                .or_else(|| n.as_u64().map(|u| Self::Int(u.into())))
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(Self::Float)),
            Value::String(s) => Self::parse(s),
            _ => None,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        s.parse::<i128>().map(Self::Int).ok().or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Self::Float)
        })
    }

    fn as_f64(self) -> f64 {
        match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }

    fn compare(self, other: Self) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

/// One `field|modifiers: values` line.
#[derive(Debug, Clone)]
struct FieldTest {
    path: Vec<String>,
    op: Op,
    patterns: Vec<Pattern>,
    all: bool,
}

/// A named selection: a map (every field) or a list of maps (any map).
#[derive(Debug, Clone)]
struct Selection(Vec<Vec<FieldTest>>);

/// A compiled detection.
#[derive(Debug, Clone)]
pub struct Matcher {
    selections: Vec<(String, Selection)>,
    condition: Cond,
    /// The `eventName`s (lowercase) an event must have to possibly match, when the rule
    /// implies a finite set: one hash lookup then rejects almost every event.
    event_names: Option<std::collections::HashSet<String>>,
}

type Names = std::collections::HashSet<String>;

impl Selection {
    /// The eventNames every alternative of this selection requires, if each names some.
    fn event_names(&self) -> Option<Names> {
        let mut all = Names::new();
        for fields in &self.0 {
            let names = fields.iter().find_map(|f| {
                (f.path.len() == 1 && f.path[0] == "eventName" && f.op == Op::Equals && !f.all)
                    .then(|| {
                        f.patterns
                            .iter()
                            .map(|p| match p {
                                Pattern::Text(t) => Some(t.clone()),
                                _ => None,
                            })
                            .collect::<Option<Names>>()
                    })
                    .flatten()
            })?;
            all.extend(names);
        }
        Some(all)
    }
}

/// A plain Sigma value: wildcards make a regex, escaped ones (`\*`) stay literal.
fn text_pattern(text: &str, op: Op) -> Pattern {
    let mut re = String::new();
    let mut literal = String::new();
    let mut wild = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                let escaped = chars.next().unwrap_or('\\');
                literal.push(escaped);
                re.push_str(&regex::escape(&escaped.to_string()));
            }
            '*' => {
                wild = true;
                re.push_str(".*");
            }
            '?' => {
                wild = true;
                re.push('.');
            }
            c => {
                literal.push(c);
                re.push_str(&regex::escape(&c.to_string()));
            }
        }
    }
    if !wild {
        return Pattern::Text(literal.to_lowercase());
    }
    let (start, end) = match op {
        Op::Equals => ("^", "$"),
        Op::Contains => ("", ""),
        Op::StartsWith => ("^", ""),
        Op::EndsWith => ("", "$"),
    };
    // Every piece of `re` is escaped or a fixed wildcard form, so it always compiles.
    Regex::new(&format!("(?is){start}{re}{end}"))
        .map_or(Pattern::Text(literal.to_lowercase()), Pattern::Regex)
}

fn scalar_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// ASCII case-insensitive comparisons without allocating (CloudTrail's values are ASCII;
/// `needle` is already lowercase).
fn ci_eq(hay: &str, needle: &str) -> bool {
    hay.eq_ignore_ascii_case(needle)
}

fn ci_starts(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len()
        && hay.as_bytes()[..needle.len()].eq_ignore_ascii_case(needle.as_bytes())
}

fn ci_ends(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len()
        && hay.as_bytes()[hay.len() - needle.len()..].eq_ignore_ascii_case(needle.as_bytes())
}

fn ci_contains(hay: &str, needle: &str) -> bool {
    needle.is_empty()
        || hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Refuses a field path (of a field or of a `fieldref` value) past the size limits.
fn check_path(path: &str, key: &str, yaml: &str) -> Result<(), RuleError> {
    if path.len() > MAX_FIELD_PATH_BYTES || path.split('.').count() > MAX_FIELD_PATH_SEGMENTS {
        return Err(RuleError::at(
            yaml,
            key,
            format!(
                "a field path is at most {MAX_FIELD_PATH_BYTES} bytes and {MAX_FIELD_PATH_SEGMENTS} dotted parts (the limit)"
            ),
        ));
    }
    Ok(())
}

/// How a rule value reads in an error message.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn compile_field(key: &str, value: &Value, yaml: &str) -> Result<FieldTest, RuleError> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    if field.is_empty() {
        return Err(RuleError::at(yaml, key, "empty field name"));
    }
    check_path(field, key, yaml)?;
    let modifiers: Vec<&str> = parts.collect();
    let (mut op, mut all, mut re, mut cidr, mut exists) = (Op::Equals, false, false, false, false);
    let (mut cmp, mut fieldref) = (None, false);
    for &m in &modifiers {
        match m {
            "contains" => op = Op::Contains,
            "startswith" => op = Op::StartsWith,
            "endswith" => op = Op::EndsWith,
            "all" => all = true,
            "re" => re = true,
            "cidr" => cidr = true,
            "exists" => exists = true,
            "fieldref" if op != Op::Equals => {
                // As in pySigma: `contains` and the like turn a plain value into a wildcard
                // pattern, which cannot name a field; on a field reference they come after.
                let before = modifiers
                    .iter()
                    .find(|m| matches!(**m, "contains" | "startswith" | "endswith"))
                    .copied()
                    .unwrap_or("contains");
                return Err(RuleError::at(
                    yaml,
                    key,
                    format!(
                        "`fieldref` must come before `{before}`: write `{field}|fieldref|{before}`"
                    ),
                ));
            }
            "fieldref" => fieldref = true,
            other => match Cmp::parse(other) {
                Some(c) => cmp = Some((other, c)),
                None => {
                    return Err(RuleError::at(
                        yaml,
                        key,
                        format!("unsupported modifier `{other}`"),
                    ));
                }
            },
        }
    }
    let conflict =
        |a: &str, b: &str| RuleError::at(yaml, key, format!("`{a}` cannot be combined with `{b}`"));
    if let Some((name, _)) = cmp {
        // Numbers compare with numbers only: `all` is the one modifier that still applies.
        if let Some(other) = modifiers.iter().find(|m| **m != "all" && **m != name) {
            return Err(conflict(name, other));
        }
    }
    if fieldref
        && let Some(other) = modifiers
            .iter()
            .find(|m| matches!(**m, "re" | "cidr" | "exists"))
    {
        return Err(conflict("fieldref", other));
    }
    let values: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        v => vec![v],
    };
    let mut patterns = Vec::new();
    for v in values {
        let p = if exists {
            Pattern::Exists(
                v.as_bool()
                    .ok_or_else(|| RuleError::at(yaml, key, "`exists` takes true or false"))?,
            )
        } else if let Some((name, c)) = cmp {
            Pattern::Compare(
                c,
                Num::of(v).ok_or_else(|| {
                    RuleError::at(
                        yaml,
                        key,
                        format!("`{name}` compares numbers; {} is not a number", shown(v)),
                    )
                })?,
            )
        } else if fieldref {
            let other = v.as_str().ok_or_else(|| {
                RuleError::at(
                    yaml,
                    key,
                    format!(
                        "`fieldref` takes the name of another field, not {}",
                        shown(v)
                    ),
                )
            })?;
            if other.is_empty() || other.contains(['*', '?']) {
                return Err(RuleError::at(
                    yaml,
                    key,
                    format!(
                        "`fieldref` takes the name of another field, without wildcards, not {}",
                        shown(v)
                    ),
                ));
            }
            check_path(other, key, yaml)?;
            Pattern::FieldRef(other.split('.').map(str::to_owned).collect())
        } else if v.is_null() {
            Pattern::Null
        } else {
            let text =
                scalar_text(v).ok_or_else(|| RuleError::at(yaml, key, "values must be scalars"))?;
            if re {
                Pattern::Regex(
                    regex::RegexBuilder::new(&text)
                        .size_limit(MAX_REGEX_BYTES)
                        .build()
                        .map_err(|e| {
                            RuleError::at(yaml, key, format!("invalid regular expression: {e}"))
                        })?,
                )
            } else if cidr {
                Pattern::Cidr(
                    text.parse()
                        .map_err(|_| RuleError::at(yaml, key, format!("`{text}` is not a CIDR")))?,
                )
            } else {
                text_pattern(&text, op)
            }
        };
        patterns.push(p);
    }
    if patterns.is_empty() {
        return Err(RuleError::at(yaml, key, "no value to compare with"));
    }
    Ok(FieldTest {
        path: field.split('.').map(str::to_owned).collect(),
        op,
        patterns,
        all,
    })
}

fn compile_map(
    map: &serde_json::Map<String, Value>,
    yaml: &str,
) -> Result<Vec<FieldTest>, RuleError> {
    map.iter().map(|(k, v)| compile_field(k, v, yaml)).collect()
}

impl Matcher {
    /// Compiles a `detection` section.
    pub fn compile(detection: &Value, yaml: &str) -> Result<Self, RuleError> {
        let Value::Object(sections) = detection else {
            return Err(RuleError::at(
                yaml,
                "detection",
                "a rule needs a detection map",
            ));
        };
        let mut selections = Vec::new();
        let mut conditions = Vec::new();
        for (name, body) in sections {
            match (name.as_str(), body) {
                ("condition", Value::String(c)) => conditions.push(c.clone()),
                ("condition", Value::Array(cs)) => {
                    conditions.extend(cs.iter().filter_map(|c| c.as_str().map(str::to_owned)))
                }
                ("timeframe", _) => {
                    return Err(RuleError::at(
                        yaml,
                        "timeframe",
                        "timeframes (correlations) are not supported",
                    ));
                }
                (_, Value::Object(map)) => {
                    selections.push((name.clone(), Selection(vec![compile_map(map, yaml)?])))
                }
                (_, Value::Array(items)) => {
                    let mut alternatives = Vec::new();
                    for item in items {
                        let Value::Object(map) = item else {
                            return Err(RuleError::at(
                                yaml,
                                name,
                                "keyword lists are not supported; name the field",
                            ));
                        };
                        alternatives.push(compile_map(map, yaml)?);
                    }
                    selections.push((name.clone(), Selection(alternatives)));
                }
                _ => {
                    return Err(RuleError::at(
                        yaml,
                        name,
                        "a selection is a map of fields or a list of maps",
                    ));
                }
            }
        }
        if conditions.is_empty() {
            return Err(RuleError::at(
                yaml,
                "condition",
                "the detection needs a condition",
            ));
        }
        if selections.len() > MAX_SELECTIONS {
            return Err(RuleError::at(
                yaml,
                "detection",
                format!("a detection has at most {MAX_SELECTIONS} selections (the limit)"),
            ));
        }
        let values: usize = selections
            .iter()
            .flat_map(|(_, s)| s.0.iter().flatten())
            .map(|f| f.patterns.len())
            .sum();
        if values > MAX_VALUES {
            return Err(RuleError::at(
                yaml,
                "detection",
                format!("a detection compares with at most {MAX_VALUES} values (the limit)"),
            ));
        }
        let parsed: Vec<Cond> = conditions
            .iter()
            .map(|c| condition::parse(c).map_err(|m| RuleError::at(yaml, "condition", m)))
            .collect::<Result<_, _>>()?;
        let condition = if parsed.len() == 1 {
            parsed.into_iter().next().expect("one")
        } else {
            Cond::Or(parsed)
        };
        let mut matcher = Self {
            selections,
            condition,
            event_names: None,
        };
        matcher.check_names(&matcher.condition, yaml)?;
        matcher.event_names = matcher.required_names(&matcher.condition);
        Ok(matcher)
    }

    /// The eventNames a condition requires (None: any could match).
    fn required_names(&self, c: &Cond) -> Option<Names> {
        let of_selection = |name: &str| {
            self.selections
                .iter()
                .find(|(s, _)| s == name)
                .and_then(|(_, sel)| sel.event_names())
        };
        match c {
            Cond::Name(n) => of_selection(n),
            Cond::Not(_) => None,
            // Any side that requires names bounds the conjunction.
            Cond::And(cs) => cs
                .iter()
                .filter_map(|c| self.required_names(c))
                .reduce(|a, b| &a & &b),
            // Every side must be bounded for the disjunction to be.
            Cond::Or(cs) => cs
                .iter()
                .map(|c| self.required_names(c))
                .reduce(|a, b| Some(&a? | &b?))
                .flatten(),
            Cond::Of { all, pattern } => {
                let named: Vec<Option<Names>> = self
                    .selections
                    .iter()
                    .filter(|(s, _)| condition::name_matches(pattern, s))
                    .map(|(_, sel)| sel.event_names())
                    .collect();
                if *all {
                    named.into_iter().flatten().reduce(|a, b| &a & &b)
                } else {
                    named.into_iter().reduce(|a, b| Some(&a? | &b?)).flatten()
                }
            }
        }
    }

    fn check_names(&self, c: &Cond, yaml: &str) -> Result<(), RuleError> {
        match c {
            Cond::Name(n) if !self.selections.iter().any(|(s, _)| s == n) => Err(RuleError::at(
                yaml,
                "condition",
                format!("no selection named `{n}`"),
            )),
            Cond::Of { pattern, .. }
                if !self
                    .selections
                    .iter()
                    .any(|(s, _)| condition::name_matches(pattern, s)) =>
            {
                Err(RuleError::at(
                    yaml,
                    "condition",
                    format!("no selection matches `{pattern}`"),
                ))
            }
            Cond::Not(inner) => self.check_names(inner, yaml),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().try_for_each(|c| self.check_names(c, yaml)),
            _ => Ok(()),
        }
    }

    /// The lowercase `eventName`s an event must have to possibly match, when the rule
    /// implies a finite set (None: any event could).
    pub fn event_names(&self) -> Option<&std::collections::HashSet<String>> {
        self.event_names.as_ref()
    }

    /// Whether the event matches, once its `eventName` is known to be one of
    /// [`Self::event_names`] (the caller checked, as [`crate::RuleSet`] does).
    pub(crate) fn matches_named(&self, event: &Value) -> bool {
        self.eval(&self.condition, event)
    }

    /// Whether the event matches.
    pub fn matches(&self, event: &Value) -> bool {
        if let Some(names) = &self.event_names {
            let name = event
                .get("eventName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // Lowercase into a stack buffer: this runs for every rule on every event.
            let mut buf = [0u8; 96];
            let known = match buf.get_mut(..name.len()) {
                Some(dst) => {
                    dst.copy_from_slice(name.as_bytes());
                    dst.make_ascii_lowercase();
                    std::str::from_utf8(dst).is_ok_and(|lower| names.contains(lower))
                }
                None => names.contains(&name.to_ascii_lowercase()),
            };
            if !known {
                return false;
            }
        }
        self.eval(&self.condition, event)
    }

    fn eval(&self, c: &Cond, event: &Value) -> bool {
        match c {
            Cond::Name(n) => self
                .selections
                .iter()
                .any(|(s, sel)| s == n && sel.matches(event)),
            Cond::Not(inner) => !self.eval(inner, event),
            Cond::And(cs) => cs.iter().all(|c| self.eval(c, event)),
            Cond::Or(cs) => cs.iter().any(|c| self.eval(c, event)),
            Cond::Of { all, pattern } => {
                let mut named = self
                    .selections
                    .iter()
                    .filter(|(s, _)| condition::name_matches(pattern, s));
                if *all {
                    named.all(|(_, sel)| sel.matches(event))
                } else {
                    named.any(|(_, sel)| sel.matches(event))
                }
            }
        }
    }
}

impl Selection {
    fn matches(&self, event: &Value) -> bool {
        self.0
            .iter()
            .any(|fields| fields.iter().all(|f| f.matches(event)))
    }
}

/// The values at a dotted path; a path through an array reaches every element.
pub(crate) fn resolve<'a>(v: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| resolve(i, path, out)),
        _ if path.is_empty() => out.push(v),
        _ => {
            if let Some(next) = v.get(&path[0]) {
                resolve(next, &path[1..], out);
            }
        }
    }
}

/// The value at a dotted path when the path crosses no array (zero or one leaf, found
/// without allocating); `None` when it meets an array and [`resolve`] is needed.
fn single_leaf<'a>(v: &'a Value, path: &[String]) -> Option<Option<&'a Value>> {
    let mut current = v;
    for key in path {
        match current {
            Value::Array(_) => return None,
            _ => match current.get(key) {
                Some(next) => current = next,
                None => return Some(None),
            },
        }
    }
    (!current.is_array()).then_some(Some(current))
}

/// Calls `f` with the values at a dotted path, without allocating when the path crosses no
/// array (most CloudTrail paths: this runs for every field of every rule that passes the
/// eventName pre-check).
fn with_leaves<R>(event: &Value, path: &[String], f: impl FnOnce(&[&Value]) -> R) -> R {
    match single_leaf(event, path) {
        Some(Some(leaf)) => f(std::slice::from_ref(&leaf)),
        Some(None) => f(&[]),
        None => {
            let mut leaves = Vec::new();
            resolve(event, path, &mut leaves);
            f(&leaves)
        }
    }
}

impl FieldTest {
    fn matches(&self, event: &Value) -> bool {
        with_leaves(event, &self.path, |leaves| self.leaves_match(leaves, event))
    }

    fn leaves_match(&self, leaves: &[&Value], event: &Value) -> bool {
        let one = |p: &Pattern| self.pattern_matches(p, leaves, event);
        if self.all {
            self.patterns.iter().all(one)
        } else {
            self.patterns.iter().any(one)
        }
    }

    /// Compares a field's text with a value by the field's operator, ignoring ASCII case.
    fn text_matches(&self, text: &str, wanted: &str) -> bool {
        match self.op {
            Op::Equals => ci_eq(text, wanted),
            Op::Contains => ci_contains(text, wanted),
            Op::StartsWith => ci_starts(text, wanted),
            Op::EndsWith => ci_ends(text, wanted),
        }
    }

    fn pattern_matches(&self, p: &Pattern, leaves: &[&Value], event: &Value) -> bool {
        match p {
            Pattern::Exists(want) => leaves.iter().any(|l| !l.is_null()) == *want,
            Pattern::Null => leaves.iter().all(|l| l.is_null()),
            Pattern::Compare(cmp, wanted) => leaves
                .iter()
                .filter_map(|l| Num::of(l))
                .any(|n| cmp.holds(n, *wanted)),
            // Any value of the field against any value of the referenced one. A missing or
            // null field, on either side, never matches; nor does an empty referenced value
            // except by equality (every text contains, starts and ends with "").
            Pattern::FieldRef(other) => with_leaves(event, other, |refs| {
                refs.iter()
                    .filter_map(|r| scalar_text(r))
                    .filter(|r| self.op == Op::Equals || !r.is_empty())
                    .any(|wanted| {
                        leaves
                            .iter()
                            .filter_map(|l| scalar_text(l))
                            .any(|text| self.text_matches(&text, &wanted))
                    })
            }),
            _ => leaves
                .iter()
                .filter_map(|l| scalar_text(l))
                .any(|text| match p {
                    Pattern::Text(t) => self.text_matches(&text, t),
                    Pattern::Regex(r) => r.is_match(&text),
                    Pattern::Cidr(net) => text
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| net.contains(&ip)),
                    Pattern::Null
                    | Pattern::Exists(_)
                    | Pattern::Compare(..)
                    | Pattern::FieldRef(_) => false,
                }),
        }
    }
}
