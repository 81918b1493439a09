//! Relay-style pagination: `first` (default 25, at most 100; more is an error, not a
//! silent cap), opaque cursors encoding a keyset position, and `PageInfo`.

use async_graphql::SimpleObject;
use base64::Engine;
use serde::{Serialize, de::DeserializeOwned};

use super::error::{GqlError, GqlResult};

/// Page size when `first` is not given.
pub const DEFAULT_FIRST: i32 = 25;
/// Largest `first` accepted.
pub const MAX_FIRST: i32 = 100;

/// The complexity of a connection: its page size times what each item asks for, so a
/// query's cost grows with what it can return (OWASP: cost per connection, `first × child`).
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = usize::try_from(first.unwrap_or(DEFAULT_FIRST).clamp(1, MAX_FIRST)).unwrap_or(1);
    page.saturating_mul(child_complexity).saturating_add(1)
}

/// Validates `first`, returning the number of rows to show.
pub fn page_size(first: Option<i32>) -> GqlResult<i64> {
    match first.unwrap_or(DEFAULT_FIRST) {
        n @ 1..=MAX_FIRST => Ok(i64::from(n)),
        n => Err(GqlError::bad_input(format!(
            "first must be between 1 and {MAX_FIRST}, got {n}"
        ))),
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor given back by a client. Cursors are not signed: one holding a time
/// this API never hands out (past year 9999 or before year 0, which PostgreSQL may not
/// store) is refused like any other forged cursor.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> GqlResult<K> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .filter(|value| !crate::input::json_has_time_out_of_range(value))
        .and_then(|value| serde_json::from_value(value).ok())
        .ok_or_else(|| GqlError::bad_input("after is not a cursor returned by this API"))
}

/// Where a page ends.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// Whether more items follow this page.
    pub has_next_page: bool,
    /// Cursor of the last item on this page; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Splits rows fetched with `limit + 1` into a page: the items with their cursors, and
/// whether more follow.
pub fn paginate<T, K: Serialize>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> K,
) -> (Vec<(String, T)>, PageInfo) {
    let has_next_page = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let items: Vec<(String, T)> = rows
        .into_iter()
        .map(|r| (encode_cursor(&key(&r)), r))
        .collect();
    let end_cursor = items.last().map(|(c, _)| c.clone());
    (
        items,
        PageInfo {
            has_next_page,
            end_cursor,
        },
    )
}

/// Whether the query asks for the connection's `totalCount` (the count is a query of its
/// own; a client paging through results usually does not want it).
pub fn wants_total(ctx: &async_graphql::Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Declares `<Name>Connection` and `<Name>Edge` for a node type.
#[macro_export]
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            #[doc = concat!("How many ", $what, " match, across all pages (0 unless selected).")]
            pub total_count: i64,
            /// Whether `totalCount` is an estimate: only events, above 10,000 matches
            /// (the query planner's, from the table's statistics); otherwise exact.
            pub total_count_is_estimate: bool,
            /// Where this page ends.
            pub page_info: $crate::graphql::pagination::PageInfo,
            /// The items of this page with their cursors.
            pub edges: Vec<$edge>,
        }

        #[doc = concat!("One of the ", $what, " with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque position of this item; pass it as `after`.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $connection {
            /// Builds the connection from rows fetched with `limit + 1`.
            pub fn from_rows<R, K: serde::Serialize>(
                rows: Vec<R>,
                limit: i64,
                total_count: i64,
                key: impl Fn(&R) -> K,
                node: impl Fn(R) -> $node,
            ) -> Self {
                let (items, page_info) = $crate::graphql::pagination::paginate(rows, limit, key);
                Self {
                    total_count,
                    total_count_is_estimate: false,
                    page_info,
                    edges: items
                        .into_iter()
                        .map(|(cursor, row)| $edge {
                            cursor,
                            node: node(row),
                        })
                        .collect(),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_defaults_to_25_and_refuses_over_100() {
        assert_eq!(page_size(None).unwrap(), 25);
        assert_eq!(page_size(Some(100)).unwrap(), 100);
        assert!(page_size(Some(101)).is_err());
        assert!(page_size(Some(0)).is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor(&(42_i64, "x"));
        assert_eq!(
            decode_cursor::<(i64, String)>(&c).unwrap(),
            (42, "x".into())
        );
        assert!(decode_cursor::<(i64, String)>("not a cursor").is_err());
    }

    #[test]
    fn paginate_reports_a_next_page_only_when_rows_exceed_the_limit() {
        let (items, info) = paginate(vec![1, 2, 3], 2, |n| *n);
        assert_eq!(items.len(), 2);
        assert!(info.has_next_page);
        let (_, info) = paginate(vec![1, 2], 2, |n| *n);
        assert!(!info.has_next_page);
    }
}
