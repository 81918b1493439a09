//! Typed configuration read from the environment and validated at start-up.
//!
//! Every variable has one parser; a missing or invalid value stops the process with an
//! error that names the variable. Secrets are wrapped in [`SecretString`] so that
//! `Debug` (and so any log line) shows `[REDACTED]`.

use std::{net::SocketAddr, time::Duration};

use secrecy::SecretString;

/// Development default for `VIGIL_JWT_SECRET`, accepted only when `VIGIL_ENV=dev`.
const DEV_JWT_SECRET: &str = "vigil-development-secret-do-not-use-in-production";

/// A configuration error; the message names the variable at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is required but not set{hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where the process runs; production refuses development shortcuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Production,
}

/// Configuration shared by `vigil-api` and `vigil-worker`.
#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: SecretString,
    pub database_max_connections: u32,
    pub listen: SocketAddr,
    pub jwt_secret: SecretString,
    /// Apply pending migrations when the API starts (`VIGIL_MIGRATE_ON_START`).
    pub migrate_on_start: bool,
    pub scan_interval: Duration,
    pub ingest_interval: Duration,
    /// How often each AWS Organization is synced: accounts that joined are connected,
    /// accounts that left are marked (`VIGIL_ORGANIZATION_SYNC_INTERVAL`, default 1 h).
    pub organization_sync_interval: Duration,
    /// How far back a connection's first ingestion reads (at most 90 days).
    pub ingest_backfill: Duration,
    /// How long events are kept.
    pub event_retention: Duration,
    /// How long first-seen detections learn after a connection's first ingestion
    /// (`VIGIL_BASELINE_LEARNING`; `0s` compares against the backfilled history at once).
    pub baseline_learning: Duration,
    /// Jobs one worker process runs at once.
    pub worker_concurrency: usize,
    /// How long a claimed job stays leased without a heartbeat.
    pub job_lease: Duration,
    /// How long a stopping worker waits for running jobs before releasing them.
    pub shutdown_grace: Duration,
    /// `json` for machine-readable logs, `pretty` for humans.
    pub log_format: LogFormat,
    /// Directory holding the built web app, served by the API when present.
    pub web_dir: Option<String>,
    /// Where customers reach Vigil (links in invitations, the template URL).
    pub public_url: String,
    /// Sign-up and login attempts allowed per minute per client IP, and per email from
    /// one client IP per 15 minutes (`VIGIL_AUTH_RATE_LIMIT`).
    pub auth_rate_per_minute: u32,
    /// GraphQL requests (operations) allowed per minute per tenant.
    pub graphql_rate_per_minute: u32,
    /// The principal customers' roles trust; discovered with GetCallerIdentity when unset.
    pub trusted_principal_arn: Option<String>,
    /// Public base URL where the generic CloudFormation template is served from.
    pub template_base_url: String,
    /// Let webhooks call loopback, private and link-local addresses and plain http
    /// (`VIGIL_WEBHOOK_ALLOW_INTERNAL`; tests and on-premises receivers only).
    pub webhook_allow_internal: bool,
    /// Role verifications (each a synchronous STS AssumeRole) allowed per minute per
    /// tenant (`VIGIL_STS_RATE_LIMIT`).
    pub sts_rate_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client (`VIGIL_TRUSTED_PROXIES`, CIDRs
    /// or addresses, comma-separated); empty trusts no one and uses the socket's peer.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Bearer token `/metrics` requires (`VIGIL_METRICS_TOKEN`, at least 16 characters).
    /// Unset, `/metrics` is open in development and refused in production.
    pub metrics_token: Option<SecretString>,
    /// Answer GraphQL introspection (`VIGIL_GRAPHQL_INTROSPECTION`; on in development
    /// only unless set). The SDL is published in `api/schema.graphql` either way.
    pub graphql_introspection: bool,
    /// Time one GraphQL operation may take before it is answered `TIMEOUT`
    /// (`VIGIL_GRAPHQL_TIMEOUT`, 1 to 25 seconds; the HTTP layer stops any request at 30 s).
    pub graphql_timeout: Duration,
    /// How long a WebSocket may wait before sending `connection_init`
    /// (`VIGIL_WS_INIT_TIMEOUT`).
    pub ws_init_timeout: Duration,
    /// How often a WebSocket session authenticates its credential again, closing when it
    /// no longer holds or its role changed (`VIGIL_WS_RECHECK_INTERVAL`).
    pub ws_recheck_interval: Duration,
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// A source of variables: the process environment in production, a map in tests.
pub trait VarSource {
    fn get(&self, name: &str) -> Option<String>;
}

/// Reads variables from the process environment.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessEnv;

impl VarSource for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl<const N: usize> VarSource for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&ProcessEnv)
    }

    /// Reads the configuration from any [`VarSource`].
    pub fn from_source(src: &impl VarSource) -> Result<Self, ConfigError> {
        let environment = match src.get("VIGIL_ENV").as_deref() {
            None | Some("production") | Some("prod") => Environment::Production,
            Some("dev") | Some("development") | Some("test") => Environment::Dev,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "VIGIL_ENV",
                    reason: format!("expected `dev` or `production`, got `{other}`"),
                });
            }
        };
        let database_url = src.get("DATABASE_URL").ok_or(ConfigError::Missing {
            name: "DATABASE_URL",
            hint: " (e.g. postgres://postgres@127.0.0.1:5432/vigil)",
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: "expected a postgres:// or postgresql:// URL".into(),
            });
        }
        let jwt_secret = match (src.get("VIGIL_JWT_SECRET"), environment) {
            (Some(s), _) if s.len() < 32 => {
                return Err(ConfigError::Invalid {
                    name: "VIGIL_JWT_SECRET",
                    reason: "must be at least 32 characters of random material".into(),
                });
            }
            (Some(s), _) => s,
            (None, Environment::Dev) => DEV_JWT_SECRET.to_owned(),
            (None, Environment::Production) => {
                return Err(ConfigError::Missing {
                    name: "VIGIL_JWT_SECRET",
                    hint: " (set VIGIL_ENV=dev to use a development key)",
                });
            }
        };
        let log_format = match src.get("VIGIL_LOG_FORMAT").as_deref() {
            None => match environment {
                Environment::Dev => LogFormat::Pretty,
                Environment::Production => LogFormat::Json,
            },
            Some("json") => LogFormat::Json,
            Some("pretty") | Some("text") => LogFormat::Pretty,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "VIGIL_LOG_FORMAT",
                    reason: format!("expected `json` or `pretty`, got `{other}`"),
                });
            }
        };
        Ok(Self {
            environment,
            database_url: database_url.into(),
            database_max_connections: parse(src, "VIGIL_DATABASE_MAX_CONNECTIONS", 10u32)?,
            listen: parse(
                src,
                "VIGIL_LISTEN",
                SocketAddr::from(([127, 0, 0, 1], 8080)),
            )?,
            jwt_secret: jwt_secret.into(),
            migrate_on_start: parse_bool(src, "VIGIL_MIGRATE_ON_START", true)?,
            scan_interval: duration(src, "VIGIL_SCAN_INTERVAL", Duration::from_secs(6 * 3600))?,
            ingest_interval: duration(src, "VIGIL_INGEST_INTERVAL", Duration::from_secs(300))?,
            organization_sync_interval: duration(
                src,
                "VIGIL_ORGANIZATION_SYNC_INTERVAL",
                Duration::from_secs(3600),
            )?,
            ingest_backfill: match duration(
                src,
                "VIGIL_INGEST_BACKFILL",
                Duration::from_secs(7 * 86_400),
            )? {
                d if d > Duration::from_secs(90 * 86_400) => {
                    return Err(ConfigError::Invalid {
                        name: "VIGIL_INGEST_BACKFILL",
                        reason: "at most 90 days (CloudTrail's LookupEvents keeps 90 days)".into(),
                    });
                }
                d => d,
            },
            event_retention: duration(
                src,
                "VIGIL_EVENT_RETENTION",
                Duration::from_secs(90 * 86_400),
            )?,
            baseline_learning: any_duration(
                src,
                "VIGIL_BASELINE_LEARNING",
                Duration::from_secs(7 * 86_400),
            )?,
            worker_concurrency: positive(src, "VIGIL_WORKER_CONCURRENCY", 4)?,
            job_lease: duration(src, "VIGIL_JOB_LEASE", Duration::from_secs(60))?,
            shutdown_grace: duration(src, "VIGIL_SHUTDOWN_GRACE", Duration::from_secs(30))?,
            log_format,
            web_dir: src.get("VIGIL_WEB_DIR"),
            template_base_url: src
                .get("VIGIL_TEMPLATE_BASE_URL")
                .map(|u| u.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| format!("{}/api/v1/aws", public_url(src).unwrap_or_default())),
            public_url: public_url(src)?,
            auth_rate_per_minute: parse(src, "VIGIL_AUTH_RATE_LIMIT", 10u32)?,
            graphql_rate_per_minute: parse(src, "VIGIL_GRAPHQL_RATE_LIMIT", 600u32)?,
            trusted_principal_arn: src.get("VIGIL_TRUSTED_PRINCIPAL_ARN"),
            webhook_allow_internal: parse_bool(src, "VIGIL_WEBHOOK_ALLOW_INTERNAL", false)?,
            sts_rate_per_minute: positive(src, "VIGIL_STS_RATE_LIMIT", 10u32)?,
            trusted_proxies: networks(src, "VIGIL_TRUSTED_PROXIES")?,
            metrics_token: match src.get("VIGIL_METRICS_TOKEN") {
                Some(t) if t.trim().len() < 16 => {
                    return Err(ConfigError::Invalid {
                        name: "VIGIL_METRICS_TOKEN",
                        reason: "must be at least 16 characters of random material".into(),
                    });
                }
                t => t.map(|t| t.trim().to_owned().into()),
            },
            graphql_introspection: parse_bool(
                src,
                "VIGIL_GRAPHQL_INTROSPECTION",
                environment == Environment::Dev,
            )?,
            graphql_timeout: graphql_timeout(src)?,
            ws_init_timeout: duration(src, "VIGIL_WS_INIT_TIMEOUT", Duration::from_secs(10))?,
            ws_recheck_interval: duration(
                src,
                "VIGIL_WS_RECHECK_INTERVAL",
                Duration::from_secs(30),
            )?,
        })
    }

    /// True in development mode (`VIGIL_ENV=dev`).
    pub fn is_dev(&self) -> bool {
        self.environment == Environment::Dev
    }
}

fn parse<T>(src: &impl VarSource, name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match src.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: format!("`{raw}`: {e}"),
            }),
    }
}

fn positive<T>(src: &impl VarSource, name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + Default + PartialEq,
    T::Err: std::fmt::Display,
{
    match parse(src, name, default)? {
        n if n == T::default() => Err(ConfigError::Invalid {
            name,
            reason: "must be at least 1".into(),
        }),
        n => Ok(n),
    }
}

fn parse_bool(
    src: &impl VarSource,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match src.get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError::Invalid {
            name,
            reason: format!("expected true or false, got `{other}`"),
        }),
    }
}

fn public_url(src: &impl VarSource) -> Result<String, ConfigError> {
    let url = src
        .get("VIGIL_PUBLIC_URL")
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError::Invalid {
            name: "VIGIL_PUBLIC_URL",
            reason: format!("`{url}` is not an http(s) URL"),
        });
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Parses a comma-separated list of CIDRs (`10.0.0.0/8`) or single addresses (`::1`).
fn networks(src: &impl VarSource, name: &'static str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let Some(raw) = src.get(name) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    name,
                    reason: format!("`{item}` is not a CIDR like 10.0.0.0/8 or an IP address"),
                })
        })
        .collect()
}

/// Parses durations written as `90s`, `5m`, `6h` or `1h 30m`; zero is allowed.
fn any_duration(
    src: &impl VarSource,
    name: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(raw) = src.get(name) else {
        return Ok(default);
    };
    humantime::parse_duration(raw.trim()).map_err(|e| ConfigError::Invalid {
        name,
        reason: format!("`{raw}` is not a duration like 90s, 5m or 6h ({e})"),
    })
}

/// As [`any_duration`], for settings that must be longer than zero.
/// `VIGIL_GRAPHQL_TIMEOUT`: 15 s unless set, within 1 to 25 s so the operation's own
/// `TIMEOUT` answer always comes before the HTTP layer's 30 s cut.
fn graphql_timeout(src: &impl VarSource) -> Result<Duration, ConfigError> {
    let name = "VIGIL_GRAPHQL_TIMEOUT";
    let t = duration(src, name, Duration::from_secs(15))?;
    if !(Duration::from_secs(1)..=Duration::from_secs(25)).contains(&t) {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be between 1s and 25s".into(),
        });
    }
    Ok(t)
}

fn duration(
    src: &impl VarSource,
    name: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let parsed = any_duration(src, name, default)?;
    if parsed.is_zero() {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be longer than zero".into(),
        });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://postgres@127.0.0.1/vigil");

    #[test]
    fn defaults_apply_in_dev_mode() {
        let cfg = Config::from_source(&[DB, ("VIGIL_ENV", "dev")]).unwrap();
        assert_eq!(cfg.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(cfg.scan_interval, Duration::from_secs(6 * 3600));
        assert_eq!(cfg.ingest_interval, Duration::from_secs(300));
        assert_eq!(cfg.organization_sync_interval, Duration::from_secs(3600));
        assert!(cfg.migrate_on_start);
        assert_eq!(cfg.jwt_secret.expose_secret(), DEV_JWT_SECRET);
    }

    #[test]
    fn production_refuses_to_start_without_a_jwt_secret() {
        let err = Config::from_source(&[DB]).unwrap_err();
        assert!(err.to_string().contains("VIGIL_JWT_SECRET"), "{err}");
    }

    #[test]
    fn missing_database_url_is_named() {
        let err = Config::from_source(&[("VIGIL_ENV", "dev")]).unwrap_err();
        assert!(
            err.to_string().starts_with("DATABASE_URL is required"),
            "{err}"
        );
    }

    #[test]
    fn the_learning_period_may_be_zero_in_any_unit_but_intervals_may_not() {
        for zero in ["0", "0s", "0m", "0h"] {
            let cfg =
                Config::from_source(&[DB, ("VIGIL_ENV", "dev"), ("VIGIL_BASELINE_LEARNING", zero)]);
            assert_eq!(cfg.unwrap().baseline_learning, Duration::ZERO, "{zero}");
        }
        let err = Config::from_source(&[DB, ("VIGIL_ENV", "dev"), ("VIGIL_SCAN_INTERVAL", "0m")])
            .unwrap_err();
        assert!(err.to_string().contains("VIGIL_SCAN_INTERVAL"), "{err}");
    }

    #[test]
    fn durations_accept_human_units_and_name_the_variable_when_wrong() {
        let cfg = Config::from_source(&[
            DB,
            ("VIGIL_ENV", "dev"),
            ("VIGIL_SCAN_INTERVAL", "90s"),
            ("VIGIL_INGEST_INTERVAL", "5m"),
        ])
        .unwrap();
        assert_eq!(cfg.scan_interval, Duration::from_secs(90));
        assert_eq!(cfg.ingest_interval, Duration::from_secs(300));
        let err =
            Config::from_source(&[DB, ("VIGIL_ENV", "dev"), ("VIGIL_SCAN_INTERVAL", "often")])
                .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("VIGIL_SCAN_INTERVAL is invalid"),
            "{err}"
        );
    }

    #[test]
    fn the_sts_budget_defaults_to_ten_a_minute_and_refuses_zero() {
        let cfg = Config::from_source(&[DB, ("VIGIL_ENV", "dev")]).unwrap();
        assert_eq!(cfg.sts_rate_per_minute, 10);
        let err = Config::from_source(&[DB, ("VIGIL_ENV", "dev"), ("VIGIL_STS_RATE_LIMIT", "0")])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "VIGIL_STS_RATE_LIMIT is invalid: must be at least 1"
        );
    }

    #[test]
    fn invalid_listen_address_is_named() {
        let err = Config::from_source(&[DB, ("VIGIL_ENV", "dev"), ("VIGIL_LISTEN", "localhost")])
            .unwrap_err();
        assert!(
            err.to_string().starts_with("VIGIL_LISTEN is invalid"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let cfg = Config::from_source(&[
            ("DATABASE_URL", "postgres://vigil:hunter2hunter2@db/vigil"),
            (
                "VIGIL_JWT_SECRET",
                "0123456789abcdef0123456789abcdef-secret",
            ),
        ])
        .unwrap();
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("abcdef-secret"), "{shown}");
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses_and_none_by_default() {
        let cfg = Config::from_source(&[DB, ("VIGIL_ENV", "dev")]).unwrap();
        assert!(cfg.trusted_proxies.is_empty());
        let cfg = Config::from_source(&[
            DB,
            ("VIGIL_ENV", "dev"),
            ("VIGIL_TRUSTED_PROXIES", "10.0.0.0/8, ::1,"),
        ])
        .unwrap();
        let shown: Vec<String> = cfg.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.0/8", "::1/128"]);
        let err = Config::from_source(&[
            DB,
            ("VIGIL_ENV", "dev"),
            ("VIGIL_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("VIGIL_TRUSTED_PROXIES is invalid")
                && err.to_string().contains("proxy.internal"),
            "{err}"
        );
    }

    #[test]
    fn introspection_and_open_metrics_are_for_development_unless_configured() {
        let dev = Config::from_source(&[DB, ("VIGIL_ENV", "dev")]).unwrap();
        assert!(dev.graphql_introspection && dev.metrics_token.is_none());
        let secret = ("VIGIL_JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let prod = Config::from_source(&[DB, secret]).unwrap();
        assert!(!prod.graphql_introspection);
        assert_eq!(prod.ws_init_timeout, Duration::from_secs(10));
        assert_eq!(prod.graphql_timeout, Duration::from_secs(15));
        assert_eq!(prod.ws_recheck_interval, Duration::from_secs(30));
        let on = Config::from_source(&[DB, secret, ("VIGIL_GRAPHQL_INTROSPECTION", "true")]);
        assert!(on.unwrap().graphql_introspection);
        let err = Config::from_source(&[DB, secret, ("VIGIL_METRICS_TOKEN", "short")]).unwrap_err();
        assert!(err.to_string().contains("VIGIL_METRICS_TOKEN"), "{err}");
        let token = ("VIGIL_METRICS_TOKEN", "a-long-enough-metrics-token");
        let with = Config::from_source(&[DB, secret, token]).unwrap();
        assert_eq!(
            with.metrics_token.unwrap().expose_secret(),
            "a-long-enough-metrics-token"
        );
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let err = Config::from_source(&[DB, ("VIGIL_JWT_SECRET", "short")]).unwrap_err();
        assert!(err.to_string().contains("at least 32"), "{err}");
    }
}
