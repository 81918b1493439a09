//! End-to-end tests: the API over HTTP and the worker process, against real PostgreSQL
//! (a fresh database per test).

mod activity;
mod assessment;
mod auth;
mod cloudwatch;
mod compliance;
mod connect;
mod correlations;
mod counts;
mod crash_safety;
mod db_restart;
mod emulator;
mod export;
mod fixtures;
mod fuzz;
mod health;
mod limits;
mod live;
mod loaders;
mod ordering;
mod organization_trails;
mod organizations;
mod push;
mod rules;
mod security_api;
mod security_auth;
mod security_detect;
mod security_digest;
mod security_jobs;
mod sequences;
mod services;
mod team;
mod trail_files;
mod webhooks;
mod worker;
