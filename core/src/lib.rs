//! What the Vigil API and worker share: configuration, the database and tenant
//! scoping, identifiers, the job queue and the stores.

pub mod config;
pub mod db;
pub mod ids;
pub mod jobs;
pub mod shutdown;
pub mod store;
pub mod tasks;
pub mod telemetry;
