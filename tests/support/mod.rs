//! What the app's integration and end-to-end tests share: a real platform server on a loopback
//! port (the `signet-server` library, in process, on SQLite in a temporary directory).

#![allow(dead_code, clippy::unwrap_used)]

pub mod browser;
pub mod e2e;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use signet_server::{AppState, DbConfig, ManualClock, Settings};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A platform server on 127.0.0.1. It can be stopped and started again on the same port, to play
/// a platform that goes away and comes back.
pub struct Platform {
    pub state: AppState,
    /// The platform's clock: it moves only when a test advances it.
    pub clock: Arc<ManualClock>,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// An HTTP client for the tests' own requests, with the TLS crypto provider the app installs
/// (reqwest is built without one of its own).
pub fn http() -> reqwest::Client {
    signet_app::platform::install_crypto_provider();
    reqwest::Client::new()
}

/// The app's session (its real store in `dir`, the OS keyring) signed in to `platform`.
pub async fn app_session(
    platform: &Platform,
    dir: &Path,
    account: &str,
    password: &str,
) -> signet_app::session::Session {
    use signet_app::secrets::{Keyring, SERVICE};
    use signet_app::session::{Session, SignInForm};
    let store = signet_app::store::Store::open(dir).await.unwrap();
    let session = Session::new(store, Keyring::new(SERVICE), &platform.url(), Arc::new(|_| {}));
    let form = SignInForm {
        account: account.into(),
        password: signet_domain::Sensitive::new(password.into()),
        server_url: platform.url(),
    };
    session.sign_in(form).await.unwrap();
    session
}

/// Step 1 of real-name authentication with the sandbox identity 王芳 / resident ID card
/// `11010519491231002X`: the verification's id.
pub async fn wang_fang_verification(session: &signet_app::session::Session) -> String {
    use signet_domain::identity::{DocumentType, IdentityInput};
    let input = IdentityInput {
        document_type: DocumentType::IdCard,
        number: signet_domain::Sensitive::new("11010519491231002X".into()),
        name: "王芳".into(),
    };
    signet_app::real_name::submit_identity(session, input).await.unwrap().verification_id
}

impl Platform {
    /// A fresh platform with the demo accounts, its data in `dir`.
    pub async fn start(dir: &Path) -> Self {
        let clock = Arc::new(ManualClock::starting_now());
        let settings = Settings::for_tests().with_clock(clock.clone());
        let state = AppState::open_with(DbConfig::data_dir(dir), settings).await.unwrap();
        signet_server::seed_demo(&state).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut platform = Self { state, clock, addr, stop: None, task: None };
        platform.serve(listener);
        platform
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Signs in over HTTP, as another device would, and returns the tokens.
    pub async fn sign_in(
        &self,
        account: &str,
        password: &str,
    ) -> signet_domain::api::SessionTokens {
        let response = http()
            .post(format!("{}/api/v1/auth/sign-in", self.url()))
            .json(&serde_json::json!({ "account": account, "password": password }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "sign-in as {account}: {}", response.status());
        response.json().await.unwrap()
    }

    /// The signatures the platform keeps for `account`, asked over HTTP as another device would.
    pub async fn signatures(
        &self,
        account: &str,
        password: &str,
    ) -> signet_domain::api::SignatureList {
        let tokens = self.sign_in(account, password).await;
        http()
            .get(format!("{}/api/v1/signatures", self.url()))
            .bearer_auth(tokens.access_token.expose())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The keyring account the app uses for this platform's user: `<host:port>:<user id>`.
    pub async fn keyring_account(&self, account: &str, password: &str) -> String {
        let user_id = self.sign_in(account, password).await.user_id;
        format!("{}:{user_id}", signet_app::platform::server_host(&self.url()))
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (tx, rx) = oneshot::channel();
        let state = self.state.clone();
        self.stop = Some(tx);
        self.task = Some(tokio::spawn(async move {
            let _ = signet_server::serve(listener, state, async move {
                let _ = rx.await;
            })
            .await;
        }));
    }

    /// Stops answering: the port is closed until [`Platform::resume`].
    pub async fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            // Graceful: in-flight requests finish, idle keep-alive connections close.
            if tokio::time::timeout(std::time::Duration::from_secs(5), &mut task).await.is_err() {
                task.abort();
            }
        }
    }

    /// Answers again on the same port, with the same data.
    pub async fn resume(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }
}

/// A TCP relay in front of the platform whose answers can be held back: requests still reach the
/// platform (which acts on them), but nothing comes back while it is stalled. This plays the
/// answer that is lost, say because the app was killed while waiting for it.
pub struct StallingRelay {
    pub addr: SocketAddr,
    stalled: Arc<std::sync::atomic::AtomicBool>,
    task: JoinHandle<()>,
}

impl StallingRelay {
    pub async fn start(upstream: SocketAddr) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stalled = Arc::new(AtomicBool::new(false));
        let flag = stalled.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { continue };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                    let _ = server_write.shutdown().await;
                });
                let flag = flag.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match server_read.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        while flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        }
                        if client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = client_write.shutdown().await;
                });
            }
        });
        Self { addr, stalled, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Holds back (true) or lets through (false) the platform's answers.
    pub fn stall(&self, on: bool) {
        self.stalled.store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for StallingRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}
