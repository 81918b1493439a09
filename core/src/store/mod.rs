//! SQL, one small function per statement. Every function takes the tenant first and is
//! meant to run inside a tenant transaction ([`crate::db::begin_tenant`]), so a query
//! is filtered twice: by its own `where tenant_id = $1` and by row-level security.
//! The exceptions are the `find_*`/`login_record` lookups, which locate a credential's
//! tenant through the narrow `auth_*` SQL functions.

pub mod alerts;
pub mod assets;
pub mod audit;
pub mod aws_accounts;
pub mod aws_organizations;
pub mod compliance;
pub mod correlations;
pub mod credentials;
pub mod cross_tenant;
pub mod detection_rules;
pub mod events;
pub mod findings;
pub mod push;
pub mod rechecks;
pub mod region_reads;
pub mod scans;
pub mod tenants;
pub mod users;
pub mod webhooks;

/// Marks SQL assembled from constant fragments (column lists, shared filters) as
/// audited: none of it comes from input, which is always bound as parameters.
pub(crate) fn sql(s: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(s)
}

/// `and <column> = <one>` or `and <column> = any(<several>)`. One value is written as `=`
/// so the planner knows the order an index on the column keeps (with `= any($n)` it cannot
/// know the array holds one value).
pub(crate) fn push_in<T>(q: &mut sqlx::QueryBuilder<sqlx::Postgres>, column: &str, values: &[T])
where
    T: Copy
        + for<'q> sqlx::Encode<'q, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + sqlx::postgres::PgHasArrayType,
{
    match values {
        [one] => q.push(format_args!(" and {column} = ")).push_bind(*one),
        many => q
            .push(format_args!(" and {column} = any("))
            .push_bind(many.to_vec())
            .push(")"),
    };
}
