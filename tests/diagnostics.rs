//! "Export diagnostics" against a real platform: the file says what the app is and what it is
//! connected to, carries the recent log, and nothing personal, even when the log had some.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::SystemTime;

use signet_app::diagnostics;
use signet_app::logging::{LogFiles, LOG_FILE};
use signet_app::real_name;
use signet_app::secrets::{Keyring, SERVICE};
use signet_app::session::{Session, SignInForm};
use signet_app::store::Store;
use signet_domain::identity::{DocumentType, IdentityInput};
use signet_domain::Sensitive;
use support::Platform;

#[tokio::test]
async fn exported_diagnostics_carry_the_version_and_the_log_but_no_personal_data() {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let store = Store::open(app_dir.path()).await.unwrap();
    let session = Session::new(store, Keyring::new(SERVICE), &platform.url(), Arc::new(|_| {}));
    let form = SignInForm {
        account: "staff01".into(),
        password: Sensitive::new("Signet-demo-1".into()),
        server_url: platform.url(),
    };
    session.sign_in(form).await.unwrap();
    let identity = IdentityInput {
        document_type: DocumentType::IdCard,
        number: Sensitive::new("11010519491231002X".into()),
        name: "王芳".into(),
    };
    real_name::submit_identity(&session, identity).await.unwrap();
    let access = session.authorized(|_, token| async move { Ok(token) }).await.unwrap();

    // A log that, against every rule, holds personal data.
    let log_dir = tempfile::tempdir().unwrap();
    let leaked = format!(
        "2026-05-01T06:30:00.000000Z  WARN signet_app: leaked staff01 李明 11010519491231002X \
         13800138000 6222 0200 0000 0000 018 wangfang@sandbox.alipay Bearer {} password=Signet-demo-1\n\
         2026-05-01T06:30:01.000000Z  INFO signet_app: the-last-line-marker\n",
        access.expose()
    );
    std::fs::write(log_dir.path().join(LOG_FILE), leaked).unwrap();
    let logs = LogFiles::new(Some(log_dir.path().to_path_buf()));

    let out = tempfile::tempdir().unwrap();
    let dirs = [out.path().join("Downloads"), out.path().join("data")];
    let path = diagnostics::export(&session, &logs, &dirs, SystemTime::now()).await.unwrap();

    assert!(path.starts_with(out.path().join("data")), "no Downloads here: {}", path.display());
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(name.starts_with("signet-diagnostics-") && name.ends_with(".txt"), "{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    let host = signet_app::platform::server_host(&platform.url());
    for expected in [
        format!("app version            {}", env!("CARGO_PKG_VERSION")),
        format!("os                     {}", std::env::consts::OS),
        format!("platform host          {host}"),
        "online                 yes".into(),
        "signed in              yes".into(),
        "keyring available      yes".into(),
        "migrations, latest: ".into(),
        "signatures cached      0".into(),
        "outbox pending         0".into(),
        "the-last-line-marker".into(),
    ] {
        assert!(text.contains(&expected), "no {expected:?} in:\n{text}");
    }
    for secret in [
        "staff01",
        "李明",
        "王芳",
        "11010519491231002X",
        "13800138000",
        "6222 0200 0000 0000 018",
        "wangfang@",
        "Signet-demo-1",
        access.expose().as_str(),
    ] {
        assert!(!text.contains(secret), "{secret:?} in:\n{text}");
    }
    session.sign_out().await.unwrap();
}
