//! User input that PostgreSQL cannot store: it refuses U+0000 in `text` and `jsonb`, which
//! would surface as an internal error. Every input path checks here first: REST bodies
//! ([`json_nul_path`]), GraphQL variables and literal arguments ([`RejectNul`]), and any
//! other string ([`nul_free`]). Likewise times: chrono parses years up to ±262143, and
//! PostgreSQL refuses those before 4713 BC ("timestamp out of range"), so every time a
//! client sends is held to RFC 3339's four-digit years first ([`time_in_range`]).

use std::sync::Arc;

use async_graphql::{
    ServerResult, Value, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Why `field` is refused, if `value` holds a NUL character.
pub fn nul_free(field: &str, value: &str) -> Result<(), String> {
    if value.contains('\0') {
        Err(nul_message(field))
    } else {
        Ok(())
    }
}

/// What a refused field's error says.
pub fn nul_message(field: &str) -> String {
    format!("`{field}` contains a NUL character (\\u0000), which is not allowed in text")
}

/// The earliest and latest times accepted from clients: RFC 3339's four-digit years.
pub const EARLIEST: &str = "0000-01-01T00:00:00Z";
pub const LATEST: &str = "9999-12-31T23:59:59.999999999Z";

/// `t`, when its year (in UTC) has four digits, 0000 to 9999 as RFC 3339 writes them;
/// otherwise why `field` is refused.
pub fn time_in_range(
    field: &str,
    t: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::Datelike;
    if (0..=9999).contains(&t.year()) {
        Ok(t)
    } else {
        Err(format!(
            "`{field}` {} is out of range: times must be from {EARLIEST} to 9999-12-31T23:59:59Z",
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        ))
    }
}

/// [`time_in_range`] for an optional GraphQL argument or input field: `BAD_USER_INPUT`
/// naming it.
pub fn gql_time(
    field: &str,
    t: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, crate::graphql::error::GqlError> {
    t.map(|t| time_in_range(field, t))
        .transpose()
        .map_err(|message| crate::graphql::error::GqlError::BadInput {
            message,
            field: Some(field.to_owned()),
            line: None,
            reason: None,
        })
}

/// Whether a JSON document (a decoded cursor) holds a string that is a time outside
/// [`time_in_range`].
pub fn json_has_time_out_of_range(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s
            .parse::<chrono::DateTime<chrono::Utc>>()
            .is_ok_and(|t| time_in_range("", t).is_err()),
        serde_json::Value::Array(items) => items.iter().any(json_has_time_out_of_range),
        serde_json::Value::Object(map) => map.values().any(json_has_time_out_of_range),
        _ => false,
    }
}

/// The path (`organization`, `tags[2]`) of the first string of a JSON document holding
/// a NUL character, in its keys or values.
pub fn json_nul_path(value: &serde_json::Value) -> Option<String> {
    let mut stack = vec![(String::new(), value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            serde_json::Value::String(s) if s.contains('\0') => return Some(path),
            serde_json::Value::Array(items) => {
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("{path}[{i}]"), v)),
                );
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let at = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if k.contains('\0') {
                        return Some(at);
                    }
                    stack.push((at, v));
                }
            }
            _ => {}
        }
    }
    None
}

/// The path of the first string holding a NUL in a GraphQL value (`input.name`).
fn value_nul_path(root: String, value: &Value) -> Option<String> {
    let mut stack = vec![(root, value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            Value::String(s) if s.contains('\0') => return Some(path),
            Value::List(items) => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{path}[{i}]"), v)),
            ),
            Value::Object(map) => {
                stack.extend(map.iter().map(|(k, v)| (format!("{path}.{k}"), v)));
            }
            _ => {}
        }
    }
    None
}

/// A schema extension refusing, before validation or execution, any operation whose
/// variables or literal arguments hold a NUL character, with `BAD_USER_INPUT` naming the
/// variable or argument.
#[derive(Debug, Default, Clone, Copy)]
pub struct RejectNul;

impl ExtensionFactory for RejectNul {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RejectNul)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for RejectNul {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let refuse = |message: String, pos| {
            crate::graphql::error::GqlError::bad_input(message).into_server_error(pos)
        };
        for (name, value) in variables.iter() {
            if let Some(path) = value_nul_path(format!("${name}"), value) {
                return Err(refuse(nul_message(&path), Default::default()));
            }
        }
        let document = next.run(ctx, query, variables).await?;
        let operations = document
            .operations
            .iter()
            .map(|(_, op)| &op.node.selection_set);
        let fragments = document.fragments.values().map(|f| &f.node.selection_set);
        // Each selection set of the document once, without following fragment spreads:
        // work in proportion to the document's size.
        let mut stack: Vec<&SelectionSet> = operations.chain(fragments).map(|s| &s.node).collect();
        while let Some(set) = stack.pop() {
            for item in &set.items {
                match &item.node {
                    Selection::Field(field) => {
                        let field = &field.node;
                        for (arg, value) in &field.arguments {
                            let root = format!("{}({})", field.name.node, arg.node);
                            // Variables inside a literal were checked above.
                            let literal = value
                                .node
                                .clone()
                                .into_const_with(|_| Ok::<_, ()>(Value::Null))
                                .unwrap_or(Value::Null);
                            if let Some(path) = value_nul_path(root, &literal) {
                                return Err(refuse(nul_message(&path), value.pos));
                            }
                        }
                        stack.push(&field.selection_set.node);
                    }
                    Selection::InlineFragment(f) => stack.push(&f.node.selection_set.node),
                    Selection::FragmentSpread(_) => {}
                }
            }
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_nul_is_found_and_named_anywhere_in_a_json_body() {
        assert_eq!(json_nul_path(&json!({ "email": "a@b.example" })), None);
        assert_eq!(
            json_nul_path(&json!({ "organization": "Acme\u{0}" })).as_deref(),
            Some("organization")
        );
        assert_eq!(
            json_nul_path(&json!({ "a": { "tags": ["x", "y\u{0}"] } })).as_deref(),
            Some("a.tags[1]")
        );
    }

    #[test]
    fn times_are_held_to_four_digit_years() {
        let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        for ok in [EARLIEST, LATEST, "2026-11-28T00:00:00Z"] {
            assert_eq!(time_in_range("since", t(ok)), Ok(t(ok)));
        }
        for out in [
            "-100000-01-01T00:00:00Z",
            "-0001-12-31T23:59:59Z",
            "0000-01-01T00:30:00+01:00",
            "+10000-01-01T00:00:00Z",
        ] {
            let message = time_in_range("since", t(out)).unwrap_err();
            assert!(message.starts_with("`since` "), "{message}");
            assert!(message.contains("out of range"), "{message}");
        }
        assert!(json_has_time_out_of_range(&json!([
            "-100000-01-01T00:00:00Z",
            "01a24a9f-478b-720b-a0bf-ae0adedd67d1"
        ])));
        assert!(!json_has_time_out_of_range(&json!([
            "2026-11-28T00:00:00Z",
            "not a time",
            5
        ])));
    }

    #[test]
    fn a_nul_is_named_by_its_graphql_path() {
        let value = Value::from_json(json!({ "name": "ok", "tags": ["\u{0}"] })).unwrap();
        assert_eq!(
            value_nul_path("$input".into(), &value).as_deref(),
            Some("$input.tags[0]")
        );
        assert!(nul_free("name", "fine").is_ok());
        assert!(nul_free("name", "bad\u{0}").unwrap_err().contains("`name`"));
    }
}
