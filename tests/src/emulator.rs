//! The AWS emulator (moto plus Vigil's CloudTrail extension, `tests/aws/`) as a child
//! process on a free loopback port, and SDK configurations aimed at it.
//!
//! One emulator serves a whole test binary ([`Emulator::shared`]); tests stay apart by
//! using fresh random account IDs, which moto keeps isolated. The child exits when its
//! stdin closes, i.e. when the test binary exits, however it exits.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::Duration,
};

use anyhow::Context;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_types::region::Region;
use serde_json::{Value, json};

/// Static keys of the emulator's default account (123456789012), which stands for
/// Vigil's own AWS account and may enter any account through its bootstrap role.
pub const MANAGEMENT_ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const MANAGEMENT_SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const MANAGEMENT_ACCOUNT: &str = "123456789012";
/// The role the emulator lets the management account assume in any account.
pub const BOOTSTRAP_ROLE: &str = "OrganizationAccountAccessRole";

/// A running emulator.
pub struct Emulator {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    child: Mutex<Child>,
    // Held open for the emulator's lifetime: its closing tells the child to exit.
    _stdin: Mutex<ChildStdin>,
    http: reqwest::Client,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The virtualenv's Python (`make test` creates it and exports `VIGIL_PYTHON`).
pub fn python() -> PathBuf {
    std::env::var_os("VIGIL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/python"))
}

impl Emulator {
    /// Starts an emulator and waits until it accepts connections. Trail delivery runs
    /// only on [`Emulator::flush`], so tests decide when files appear.
    pub fn start() -> anyhow::Result<Self> {
        let python = python();
        anyhow::ensure!(
            python.exists(),
            "{} not found: run `make venv` (or `make test`) to create the emulator's virtualenv",
            python.display()
        );
        let log = std::env::temp_dir().join(format!("vigil-emulator-{}.log", std::process::id()));
        let mut child = Command::new(&python)
            .args(["-m", "vigil_emulator", "--host", "127.0.0.1", "--port", "0"])
            .args(["--delivery-interval", "0", "--exit-on-stdin-eof"])
            .env("PYTHONPATH", workspace_root().join("tests/aws"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {}", python.display()))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(90)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                anyhow::bail!(
                    "the emulator did not start within 90 s; see {}",
                    log.display()
                );
            }
        };
        let port: u16 = line
            .trim()
            .strip_prefix("VIGIL_EMULATOR_LISTENING port=")
            .and_then(|p| p.parse().ok())
            .with_context(|| format!("unexpected first line {line:?}; see {}", log.display()))?;
        Ok(Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
        })
    }

    /// The emulator shared by every test of this binary, started on first use.
    pub fn shared() -> &'static Emulator {
        static SHARED: OnceLock<Emulator> = OnceLock::new();
        SHARED.get_or_init(|| Emulator::start().expect("the AWS emulator starts"))
    }

    /// SDK configuration with the given credentials, aimed at the emulator.
    pub async fn config_with(&self, credentials: Credentials, region: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials)
            .load()
            .await
    }

    /// SDK configuration as the management account (Vigil's own identity).
    pub async fn management_config(&self, region: &str) -> SdkConfig {
        self.config_with(management_credentials(), region).await
    }

    /// The same configuration in us-east-1, built without awaiting (for sync builders).
    pub fn management_base(&self) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    management_credentials(),
                ),
            )
            .build()
    }

    /// SDK configuration inside `account`, entered through its bootstrap role.
    pub async fn account_config(&self, account: &str, region: &str) -> SdkConfig {
        let sts = aws_sdk_sts::Client::new(&self.management_config(region).await);
        let out = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{BOOTSTRAP_ROLE}"))
            .role_session_name("vigil-tests")
            .send()
            .await
            .expect("bootstrap AssumeRole");
        let c = out.credentials().expect("credentials");
        let creds = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "vigil-tests-account",
        );
        self.config_with(creds, region).await
    }

    /// Calls a control endpoint (`/_vigil/...`) and returns its JSON answer.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.endpoint));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("control request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Stores CloudTrail records for `account` (events no API call can produce here).
    pub async fn inject(&self, account: &str, records: Vec<Value>) -> Value {
        self.control(
            reqwest::Method::POST,
            "/_vigil/events",
            Some(json!({ "accountId": account, "records": records })),
        )
        .await
    }

    /// Delivers the pending trail files of `account`'s trails to S3 now; returns their keys.
    /// Scoped to one account because tests share the emulator: a flush of every account
    /// would deliver (and so take from its own flush) the files another test waits for.
    pub async fn flush(&self, account: &str) -> Vec<String> {
        let out = self
            .control(
                reqwest::Method::POST,
                &format!("/_vigil/flush?accountId={account}"),
                None,
            )
            .await;
        out["files"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Adds a fault rule (see tests/aws/README.md); returns its ID.
    pub async fn add_fault(&self, rule: Value) -> String {
        let out = self
            .control(reqwest::Method::POST, "/_vigil/faults", Some(rule))
            .await;
        out["id"].as_str().unwrap_or_default().to_owned()
    }
}

fn management_credentials() -> Credentials {
    Credentials::new(
        MANAGEMENT_ACCESS_KEY,
        MANAGEMENT_SECRET_KEY,
        None,
        None,
        "vigil-tests",
    )
}

/// A fresh 12-digit account ID, so that tests sharing an emulator never see each
/// other's resources.
pub fn random_account_id() -> String {
    let n: u64 = rand::random_range(300_000_000_000..999_999_999_999);
    n.to_string()
}
