//! What the Vigil API and worker share: configuration, the database and tenant
//! scoping, identifiers, roles, the job queue and the stores.

pub mod aws;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod connect;
pub mod db;
pub mod ids;
pub mod jobs;
pub mod organizations;
pub mod render;
pub mod roles;
pub mod shutdown;
pub mod store;
pub mod tasks;
pub mod telemetry;
pub mod webhooks;
