//! User text that PostgreSQL cannot store: it refuses U+0000 in `text` and `jsonb`, which
//! would surface as an internal error. Every input path checks here first: REST bodies
//! ([`json_nul_path`]), GraphQL variables and literal arguments ([`RejectNul`]), and any
//! other string ([`nul_free`]).

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
