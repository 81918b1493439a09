//! Integration tests of vigil-core against a real PostgreSQL: each test gets a fresh
//! database from `#[sqlx::test]` (DATABASE_URL must name a superuser).

mod common;
mod migrations;
mod queue;
mod rls;
mod sequences;
