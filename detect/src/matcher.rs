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
    /// Text compared by the field's operator: lowercased, unless the field is `cased`.
    Text(String),
    /// Text with Sigma wildcards, or a `re` value.
    Regex(Regex),
    Cidr(IpNet),
    Exists(bool),
    /// `lt`, `lte`, `gt`, `gte`: the field's value compared, as a number, with this one.
    Compare(Cmp, Num),
    /// `fieldref`: the value of another field of the same record (a dotted path).
    FieldRef(Vec<String>),
    /// One written value expanded to several (`windash`, `base64offset`): any of them.
    Any(Vec<Pattern>),
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
    /// `cased`: text compares with case (Sigma's default ignores it).
    cased: bool,
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

/// A plain Sigma value: wildcards make a regex, escaped ones (`\*`) stay literal. Compared
/// without case unless `cased`.
fn text_pattern(text: &str, op: Op, cased: bool) -> Pattern {
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
    let folded = |t: String| if cased { t } else { t.to_lowercase() };
    if !wild {
        return Pattern::Text(folded(literal));
    }
    let (start, end) = match op {
        Op::Equals => ("^", "$"),
        Op::Contains => ("", ""),
        Op::StartsWith => ("^", ""),
        Op::EndsWith => ("", "$"),
    };
    let flags = if cased { "(?s)" } else { "(?is)" };
    // Every piece of `re` is escaped or a fixed wildcard form, so it always compiles.
    Regex::new(&format!("{flags}{start}{re}{end}"))
        .map_or(Pattern::Text(folded(literal)), Pattern::Regex)
}

/// The characters `windash` puts where a command-line switch's `-` or `/` was: Windows
/// programs accept either, and pasted commands carry typographic dashes (as pySigma).
const WINDASH: [&str; 5] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"];

/// `windash`: every variant of `text` with each `-` or `/` that starts a word (a switch,
/// `\B[-/]\b` in pySigma's terms) replaced by each of [`WINDASH`]; `None` when there would
/// be more than `limit` variants.
fn windash(text: &str, limit: usize) -> Option<Vec<String>> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let chars: Vec<char> = text.chars().collect();
    let mut variants = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let switch = matches!(c, '-' | '/') && !word(before) && word(chars.get(i + 1).copied());
        if switch {
            if variants.len() * WINDASH.len() > limit {
                return None;
            }
            variants = variants
                .iter()
                .flat_map(|v| WINDASH.iter().map(move |d| format!("{v}{d}")))
                .collect();
        } else {
            variants.iter_mut().for_each(|v| v.push(c));
        }
    }
    Some(variants)
}

/// Standard base64 with padding (RFC 4648), as Sigma's `base64` modifiers encode.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base64offset`: the three encodings of `bytes` as they appear inside a longer base64
/// text, whatever the offset of the value in the encoded data (pySigma's algorithm: pad the
/// front with 0, 1 or 2 bytes, then cut the characters those bytes and the ragged end
/// touch).
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END_CUT: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(bytes);
            let encoded = base64(&padded);
            let end = encoded.len() - END_CUT[(bytes.len() + i) % 3];
            encoded.get(START[i]..end).unwrap_or_default().to_owned()
        })
        .collect()
}

/// How text is turned into bytes before `base64` or `base64offset` encode it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    fn bytes(self, text: &str) -> Vec<u8> {
        match self {
            Self::Utf8 => text.as_bytes().to_vec(),
            Self::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Self::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    }
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

/// The modifiers of one `field|modifiers` key, checked for combinations that mean nothing.
#[derive(Debug, Default)]
struct Modifiers {
    op: Option<Op>,
    all: bool,
    re: bool,
    /// `re`'s flags: `i` (ignore case), `m` (multi-line), `s` (`.` matches new lines).
    re_flags: (bool, bool, bool),
    cidr: bool,
    exists: bool,
    cased: bool,
    windash: bool,
    encoding: Option<(&'static str, Encoding, bool)>,
    /// `base64` (false) or `base64offset` (true), and the name written.
    base64: Option<(&'static str, bool)>,
    cmp: Option<(&'static str, Cmp)>,
    fieldref: bool,
}

/// Every modifier Vigil knows, by the name rules write.
const MODIFIER_NAMES: [&str; 24] = [
    "contains",
    "startswith",
    "endswith",
    "all",
    "re",
    "i",
    "m",
    "s",
    "cidr",
    "exists",
    "cased",
    "windash",
    "base64",
    "base64offset",
    "wide",
    "utf16le",
    "utf16be",
    "utf16",
    "lt",
    "lte",
    "gt",
    "gte",
    "fieldref",
    "expand",
];

fn parse_modifiers(
    key: &str,
    field: &str,
    names: &[&str],
    yaml: &str,
) -> Result<Modifiers, RuleError> {
    let err = |m: String| RuleError::at(yaml, key, m);
    let conflict = |a: &str, b: &str| err(format!("`{a}` cannot be combined with `{b}`"));
    let mut m = Modifiers::default();
    for &written in names {
        let Some(&name) = MODIFIER_NAMES.iter().find(|n| **n == written) else {
            return Err(err(format!("unsupported modifier `{written}`")));
        };
        match name {
            "contains" | "startswith" | "endswith" => {
                m.op = Some(match name {
                    "contains" => Op::Contains,
                    "startswith" => Op::StartsWith,
                    _ => Op::EndsWith,
                });
            }
            "fieldref" if m.op.is_some() => {
                // As in pySigma: `contains` and the like turn a plain value into a wildcard
                // pattern, which cannot name a field; on a field reference they come after.
                let before = names
                    .iter()
                    .find(|m| matches!(**m, "contains" | "startswith" | "endswith"))
                    .copied()
                    .unwrap_or("contains");
                return Err(err(format!(
                    "`fieldref` must come before `{before}`: write `{field}|fieldref|{before}`"
                )));
            }
            "fieldref" => m.fieldref = true,
            "all" => m.all = true,
            "re" => m.re = true,
            "i" | "m" | "s" if !m.re => {
                return Err(err(format!(
                    "`{name}` is a flag of `re` and must follow it: write `{field}|re|{name}`"
                )));
            }
            "i" => m.re_flags.0 = true,
            "m" => m.re_flags.1 = true,
            "s" => m.re_flags.2 = true,
            "cidr" => m.cidr = true,
            "exists" => m.exists = true,
            "cased" => m.cased = true,
            "windash" => m.windash = true,
            "wide" | "utf16le" => m.encoding = Some((name, Encoding::Utf16Le, false)),
            "utf16be" => m.encoding = Some((name, Encoding::Utf16Be, false)),
            "utf16" => m.encoding = Some((name, Encoding::Utf16Le, true)),
            "base64" => m.base64 = Some((name, false)),
            "base64offset" => m.base64 = Some((name, true)),
            "expand" => {
                return Err(err(
                    "`expand` fills %placeholders% from a processing pipeline's values; Vigil has no pipeline, so write the values in the rule".into(),
                ));
            }
            other => match Cmp::parse(other) {
                Some(c) => m.cmp = Some((name, c)),
                None => return Err(err(format!("unsupported modifier `{other}`"))),
            },
        }
    }
    if let Some((name, _)) = m.cmp {
        // Numbers compare with numbers only: `all` is the one modifier that still applies.
        if let Some(other) = names.iter().find(|n| **n != "all" && **n != name) {
            return Err(conflict(name, other));
        }
    }
    if m.fieldref
        && let Some(other) = names.iter().find(|n| {
            matches!(
                **n,
                "re" | "cidr" | "exists" | "windash" | "base64" | "base64offset"
            )
        })
    {
        return Err(conflict("fieldref", other));
    }
    // Modifiers that transform or reinterpret a text value mean nothing with `re` (a
    // pattern), `cidr` (a network) or `exists` (a boolean).
    for kind in ["re", "cidr", "exists"] {
        if names.contains(&kind)
            && let Some(other) = names.iter().find(|n| {
                **n != kind
                    && matches!(
                        **n,
                        "re" | "cidr"
                            | "exists"
                            | "cased"
                            | "windash"
                            | "base64"
                            | "base64offset"
                            | "wide"
                            | "utf16le"
                            | "utf16be"
                            | "utf16"
                    )
            })
            && !(kind == "re" && matches!(*other, "i" | "m" | "s"))
        {
            return Err(conflict(kind, other));
        }
    }
    if let Some((encoding, ..)) = m.encoding {
        let at = |n: &str| names.iter().position(|x| *x == n);
        match m.base64 {
            None => {
                return Err(err(format!(
                    "`{encoding}` encodes text for `base64` or `base64offset`, which must follow it"
                )));
            }
            Some((b64, _)) if at(b64) < at(encoding) => {
                return Err(err(format!(
                    "`{encoding}` must come before `{b64}`: the text is encoded, then base64-encoded"
                )));
            }
            Some(_) => {}
        }
    }
    if field.is_empty() && (m.fieldref || m.exists || m.cmp.is_some()) {
        return Err(err(
            "a keyword (a value without a field name) is searched as text: `fieldref`, `exists` and comparisons need a field".into(),
        ));
    }
    Ok(m)
}

/// Compiles one `field|modifiers: values` line; an empty field is a keyword search: any
/// value anywhere in the record.
fn compile_field(key: &str, value: &Value, yaml: &str) -> Result<FieldTest, RuleError> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    if !field.is_empty() {
        check_path(field, key, yaml)?;
    }
    let names: Vec<&str> = parts.collect();
    let m = parse_modifiers(key, field, &names, yaml)?;
    // Keywords are full-text search: a keyword matches a value that contains it.
    let op = m.op.unwrap_or(if field.is_empty() {
        Op::Contains
    } else {
        Op::Equals
    });
    let values: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        v => vec![v],
    };
    let mut patterns = Vec::new();
    for v in values {
        let p = if m.exists {
            Pattern::Exists(
                v.as_bool()
                    .ok_or_else(|| RuleError::at(yaml, key, "`exists` takes true or false"))?,
            )
        } else if let Some((name, c)) = m.cmp {
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
        } else if m.fieldref {
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
            if m.re {
                let (i, multi, dot) = m.re_flags;
                Pattern::Regex(
                    regex::RegexBuilder::new(&text)
                        .case_insensitive(i)
                        .multi_line(multi)
                        .dot_matches_new_line(dot)
                        .size_limit(MAX_REGEX_BYTES)
                        .build()
                        .map_err(|e| {
                            RuleError::at(yaml, key, format!("invalid regular expression: {e}"))
                        })?,
                )
            } else if m.cidr {
                Pattern::Cidr(
                    text.parse()
                        .map_err(|_| RuleError::at(yaml, key, format!("`{text}` is not a CIDR")))?,
                )
            } else {
                let texts = if m.windash {
                    windash(&text, MAX_VALUES).ok_or_else(|| {
                        RuleError::at(
                            yaml,
                            key,
                            format!(
                                "`windash` would expand `{text}` past {MAX_VALUES} values (the limit)"
                            ),
                        )
                    })?
                } else {
                    vec![text.into_owned()]
                };
                let mut each = Vec::new();
                for t in texts {
                    match m.base64 {
                        Some((name, offset)) => {
                            if t.contains(['*', '?']) {
                                return Err(RuleError::at(
                                    yaml,
                                    key,
                                    format!("`{name}` cannot encode the wildcards in `{t}`"),
                                ));
                            }
                            let mut bytes = Vec::new();
                            let (encoding, bom) = m
                                .encoding
                                .map_or((Encoding::Utf8, false), |(_, e, bom)| (e, bom));
                            if bom {
                                bytes.extend_from_slice(&[0xff, 0xfe]);
                            }
                            bytes.extend(encoding.bytes(&t));
                            let encoded = if offset {
                                base64_offsets(&bytes)
                            } else {
                                vec![base64(&bytes)]
                            };
                            // Base64 text has no wildcards, and its case is part of the data.
                            each.extend(encoded.iter().map(|e| text_pattern(e, op, true)));
                        }
                        None => each.push(text_pattern(&t, op, m.cased)),
                    }
                }
                // One value expanded to several (windash, base64offset) is any of them,
                // even under `all`, which applies to the values as written.
                if each.len() == 1 {
                    each.remove(0)
                } else {
                    Pattern::Any(each)
                }
            }
        };
        patterns.push(p);
    }
    if patterns.is_empty() {
        return Err(RuleError::at(yaml, key, "no value to compare with"));
    }
    Ok(FieldTest {
        path: if field.is_empty() {
            Vec::new()
        } else {
            field.split('.').map(str::to_owned).collect()
        },
        op,
        patterns,
        all: m.all,
        // Base64 text is data: its case is part of it.
        cased: m.cased || m.base64.is_some(),
    })
}

/// A keyword selection (`keywords: [a, b]`): values searched in every value of the record.
/// Errors name the selection, which is what the rule's line shows.
fn compile_keywords(selection: &str, values: &Value, yaml: &str) -> Result<Selection, RuleError> {
    compile_field("", values, yaml)
        .map(|f| Selection(vec![vec![f]]))
        .map_err(|e| RuleError::at(yaml, selection, e.message))
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
                // Keywords: a list of plain values (or one), searched in every value of the
                // record; any of them, as a list of field values is.
                (_, Value::Array(items)) if items.iter().all(|i| !i.is_object()) => {
                    selections.push((name.clone(), compile_keywords(name, body, yaml)?))
                }
                (_, Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
                    selections.push((name.clone(), compile_keywords(name, body, yaml)?))
                }
                (_, Value::Array(items)) => {
                    let mut alternatives = Vec::new();
                    for item in items {
                        let Value::Object(map) = item else {
                            return Err(RuleError::at(
                                yaml,
                                name,
                                "a selection is a list of maps or a list of keywords, not both",
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
                        "a selection is a map of fields, a list of maps, or keywords",
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

    /// Compares a field's text with a value by the field's operator, ignoring ASCII case
    /// unless the field is `cased`.
    fn text_matches(&self, text: &str, wanted: &str) -> bool {
        if self.cased {
            return match self.op {
                Op::Equals => text == wanted,
                Op::Contains => text.contains(wanted),
                Op::StartsWith => text.starts_with(wanted),
                Op::EndsWith => text.ends_with(wanted),
            };
        }
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
            Pattern::Any(each) => each.iter().any(|p| self.pattern_matches(p, leaves, event)),
            Pattern::Text(_) | Pattern::Regex(_) | Pattern::Cidr(_) => {
                leaves.iter().any(|leaf| self.text_value_matches(p, leaf))
            }
        }
    }

    /// A text pattern against one value. A field that holds an object (or a list of them)
    /// is matched through every value nested in it, as rules that test a whole section
    /// (`requestParameters|contains: Suspended`) expect of a record a SIEM stores as
    /// text; keys are structure and are not matched.
    fn text_value_matches(&self, p: &Pattern, leaf: &Value) -> bool {
        match leaf {
            Value::Object(map) => map.values().any(|v| self.text_value_matches(p, v)),
            Value::Array(items) => items.iter().any(|v| self.text_value_matches(p, v)),
            _ => scalar_text(leaf).is_some_and(|text| match p {
                Pattern::Text(t) => self.text_matches(&text, t),
                Pattern::Regex(r) => r.is_match(&text),
                Pattern::Cidr(net) => text
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| net.contains(&ip)),
                _ => false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Rule;

    fn rule(detection: &str) -> Rule {
        Rule::compile(&format!(
            "title: Test\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}"
        ))
        .unwrap_or_else(|e| panic!("{e}\n{detection}"))
    }

    fn refused(detection: &str) -> crate::RuleError {
        Rule::compile(&format!(
            "title: Test\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}"
        ))
        .unwrap_err()
    }

    #[test]
    fn cased_compares_with_case_and_the_default_does_not() {
        let cased = rule("  sel:\n    userAgent|cased: TruffleHog\n  condition: sel\n");
        let plain = rule("  sel:\n    userAgent: TruffleHog\n  condition: sel\n");
        assert!(cased.matches(&json!({ "userAgent": "TruffleHog" })));
        assert!(!cased.matches(&json!({ "userAgent": "trufflehog" })));
        assert!(plain.matches(&json!({ "userAgent": "trufflehog" })));
        let wild = rule("  sel:\n    userAgent|cased|contains: 'Truffle*g'\n  condition: sel\n");
        assert!(wild.matches(&json!({ "userAgent": "x TruffleHog y" })));
        assert!(!wild.matches(&json!({ "userAgent": "x TRUFFLEHOG y" })));
        for (m, yes, no) in [
            ("startswith", "Delete-x", "delete-x"),
            ("endswith", "x-Delete", "x-delete"),
        ] {
            let r = rule(&format!(
                "  sel:\n    eventName|{m}|cased: Delete\n  condition: sel\n"
            ));
            assert!(r.matches(&json!({ "eventName": yes })), "{m}");
            assert!(!r.matches(&json!({ "eventName": no })), "{m}");
        }
    }

    #[test]
    fn re_is_case_sensitive_unless_flagged() {
        let plain =
            rule("  sel:\n    userIdentity.arn|re: ':assumed-role/aws:'\n  condition: sel\n");
        let arn = |a: &str| json!({ "userIdentity": { "arn": a } });
        assert!(plain.matches(&arn("arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1")));
        assert!(!plain.matches(&arn("arn:aws:sts::1:ASSUMED-ROLE/aws:ec2-instance/i-1")));
        let i = rule("  sel:\n    userIdentity.arn|re|i: ':assumed-role/aws:'\n  condition: sel\n");
        assert!(i.matches(&arn("arn:aws:sts::1:ASSUMED-ROLE/AWS:x")));
        let multi = rule("  sel:\n    a|re|m: '^two$'\n  condition: sel\n");
        assert!(multi.matches(&json!({ "a": "one\ntwo\nthree" })));
        assert!(
            !rule("  sel:\n    a|re: '^two$'\n  condition: sel\n")
                .matches(&json!({ "a": "one\ntwo\nthree" }))
        );
        let dot = rule("  sel:\n    a|re|s: 'one.two'\n  condition: sel\n");
        assert!(dot.matches(&json!({ "a": "one\ntwo" })));
        assert!(
            !rule("  sel:\n    a|re: 'one.two'\n  condition: sel\n")
                .matches(&json!({ "a": "one\ntwo" }))
        );
    }

    #[test]
    fn windash_expands_switches_only() {
        assert_eq!(
            windash("cmd -enc /x", 100).unwrap(),
            WINDASH
                .iter()
                .flat_map(|a| WINDASH.iter().map(move |b| format!("cmd {a}enc {b}x")))
                .collect::<Vec<_>>()
        );
        // A dash inside a word, or before a space, is not a switch.
        assert_eq!(
            windash("us-east-1 - x", 100).unwrap(),
            vec!["us-east-1 - x"]
        );
        assert_eq!(windash("-a -b -c -d -e", 100), None);
        let r = rule("  sel:\n    a|windash|contains: ' -enc '\n  condition: sel\n");
        assert!(r.matches(&json!({ "a": "powershell /enc AAAA" })));
        assert!(r.matches(&json!({ "a": "powershell \u{2013}enc AAAA" })));
        assert!(!r.matches(&json!({ "a": "powershell +enc AAAA" })));
        // `all` applies to the values as written; a value's variants are alternatives.
        let all =
            rule("  sel:\n    a|windash|contains|all: [' -enc ', ' -nop ']\n  condition: sel\n");
        assert!(all.matches(&json!({ "a": "p /nop -enc x" })));
        assert!(!all.matches(&json!({ "a": "p /enc x" })));
        let err = refused("  sel:\n    a|windash: '-a -b -c -d -e'\n  condition: sel\n");
        assert!(err.to_string().contains("`windash` would expand"), "{err}");
    }

    #[test]
    fn base64_encodings_match_pysigma() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // The documented example of Sigma's base64offset.
        assert_eq!(
            base64_offsets(b"http://"),
            vec!["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]
        );
        let r = rule("  sel:\n    a|base64offset|contains: 'http://'\n  condition: sel\n");
        for prefix in ["", "x", "xy"] {
            let text = format!("{prefix}http://evil.example/");
            let encoded = base64(text.as_bytes());
            assert!(
                r.matches(&json!({ "a": format!("cmd {encoded}") })),
                "{text}"
            );
        }
        assert!(!r.matches(&json!({ "a": base64(b"https://x") })));
        // Base64 is case-sensitive data.
        assert!(!r.matches(&json!({ "a": base64(b"http://x").to_lowercase() })));
        let whole = rule("  sel:\n    a|base64: 'secret'\n  condition: sel\n");
        assert!(whole.matches(&json!({ "a": "c2VjcmV0" })));
        assert!(!whole.matches(&json!({ "a": "c2VjcmV0x" })));
        let wide = rule("  sel:\n    a|wide|base64: 'ab'\n  condition: sel\n");
        assert!(wide.matches(&json!({ "a": base64(&[b'a', 0, b'b', 0]) })));
        let be = rule("  sel:\n    a|utf16be|base64: 'ab'\n  condition: sel\n");
        assert!(be.matches(&json!({ "a": base64(&[0, b'a', 0, b'b']) })));
        let bom = rule("  sel:\n    a|utf16|base64: 'ab'\n  condition: sel\n");
        assert!(bom.matches(&json!({ "a": base64(&[0xff, 0xfe, b'a', 0, b'b', 0]) })));
    }

    #[test]
    fn fields_holding_objects_are_matched_through_their_values() {
        let r = rule("  sel:\n    requestParameters|contains: Suspended\n  condition: sel\n");
        let versioning = |status: &str| {
            json!({ "requestParameters": { "bucketName": "b", "VersioningConfiguration": {
                "Status": status, "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/" } } })
        };
        assert!(r.matches(&versioning("Suspended")));
        assert!(!r.matches(&versioning("Enabled")));
        // Keys are not values.
        assert!(!r.matches(&json!({ "requestParameters": { "Suspended": "no" } })));
        // Through lists of objects too.
        let items = rule("  sel:\n    a|contains: deep\n  condition: sel\n");
        assert!(items.matches(&json!({ "a": [{ "b": [{ "c": "very deep" }] }] })));
        assert!(!items.matches(&json!({ "a": [{ "b": [] }] })));
        // Equality and `all` apply to the nested values the same way.
        let all = rule("  sel:\n    r|contains|all: [x1, y2]\n  condition: sel\n");
        assert!(all.matches(&json!({ "r": { "a": "x1", "b": { "c": "y2" } } })));
        assert!(!all.matches(&json!({ "r": { "a": "x1" } })));
    }

    #[test]
    fn keywords_search_every_value_of_the_record() {
        let r = rule("  keywords:\n    - 'pacu'\n    - 'kali'\n  condition: keywords\n");
        assert!(r.matches(&json!({ "userAgent": "Boto3/1.9 Python/3 Linux/5-kali" })));
        assert!(r.matches(&json!({ "requestParameters": { "tags": [{ "value": "PACU run" }] } })));
        assert!(!r.matches(&json!({ "userAgent": "aws-cli/2", "pacu": "is a key" })));
        let one = rule("  keywords: 'TruffleHog'\n  condition: keywords\n");
        assert!(one.matches(&json!({ "userAgent": "trufflehog/3" })));
        assert!(!one.matches(&json!({ "userAgent": "aws-cli/2" })));
        let all =
            rule("  keywords:\n    '|all':\n      - boto3\n      - pacu\n  condition: keywords\n");
        assert!(all.matches(&json!({ "userAgent": "boto3", "x": { "y": "pacu" } })));
        assert!(!all.matches(&json!({ "userAgent": "boto3" })));
        let mixed = refused("  keywords:\n    - pacu\n    - userAgent: x\n  condition: keywords\n");
        assert_eq!(mixed.field, "keywords");
        assert!(mixed.to_string().contains("not both"), "{mixed}");
        let exists = refused("  keywords:\n    '|exists': true\n  condition: keywords\n");
        assert!(exists.to_string().contains("need a field"), "{exists}");
    }

    #[test]
    fn null_means_missing_or_null() {
        let r = rule(
            "  sel:\n    eventName: DeleteBucket\n  ok:\n    errorCode: null\n  condition: sel and ok\n",
        );
        assert!(r.matches(&json!({ "eventName": "DeleteBucket" })));
        assert!(r.matches(&json!({ "eventName": "DeleteBucket", "errorCode": null })));
        assert!(!r.matches(&json!({ "eventName": "DeleteBucket", "errorCode": "AccessDenied" })));
        let either = rule("  sel:\n    errorCode: [null, Success]\n  condition: sel\n");
        assert!(either.matches(&json!({ "errorCode": "success" })));
        assert!(!either.matches(&json!({ "errorCode": "NoSuchBucket" })));
    }

    #[test]
    fn refusals_name_the_construct() {
        let cases: [(&str, &str); 12] = [
            ("a|expand: '%admins%'", "`expand` fills %placeholders%"),
            ("a|i: x", "`i` is a flag of `re` and must follow it"),
            ("a|wide: x", "`wide` encodes text for `base64`"),
            ("a|base64|wide: x", "`wide` must come before `base64`"),
            ("a|base64: 'x*'", "`base64` cannot encode the wildcards"),
            ("a|re|cased: x", "`re` cannot be combined with `cased`"),
            (
                "a|cidr|windash: x",
                "`cidr` cannot be combined with `windash`",
            ),
            (
                "a|exists|base64: true",
                "`exists` cannot be combined with `base64`",
            ),
            (
                "a|fieldref|windash: b",
                "`fieldref` cannot be combined with `windash`",
            ),
            ("a|gt|cased: 1", "`gt` cannot be combined with `cased`"),
            ("a|utf8: x", "unsupported modifier `utf8`"),
            ("a|re: '('", "invalid regular expression"),
        ];
        for (line, message) in cases {
            let err = refused(&format!("  sel:\n    {line}\n  condition: sel\n"));
            assert_eq!(err.line, Some(7), "{line}: {err}");
            assert!(err.to_string().contains(message), "{line}: {err}");
        }
        // Flags of `re` are accepted after it.
        let _ = rule("  sel:\n    a|re|i|m|s: x\n  condition: sel\n");
    }

    #[test]
    fn them_leaves_out_underscored_selections_and_any_of_is_one_of() {
        let r = rule("  sel:\n    a: 1\n  _helper:\n    b: 2\n  condition: all of them\n");
        assert!(r.matches(&json!({ "a": 1 })), "_helper is not part of them");
        let any = rule("  sel_a:\n    a: 1\n  sel_b:\n    b: 2\n  condition: any of sel_*\n");
        assert!(any.matches(&json!({ "b": 2 })) && !any.matches(&json!({ "c": 3 })));
        let err = refused("  sel:\n    a: 1\n  condition: 2 of sel\n");
        assert!(err.to_string().contains("`2 of` is not Sigma"), "{err}");
    }
}
