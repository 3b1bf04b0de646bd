//! The log file never holds personal data. Sign-in, real-name step 1 and bank-card attempts run
//! through the app's services against a real platform with the file logger on, at `debug` (more
//! than the app logs by default), and the file is then searched for everything personal the
//! flow handled. A test binary of its own: the logger is global to the process.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use signet_app::logging;
use signet_app::real_name::{self, BankCardForm};
use signet_app::secrets::{Keyring, SERVICE};
use signet_app::session::{Session, SignInForm};
use signet_app::store::Store;
use signet_domain::identity::{DocumentType, IdentityInput};
use signet_domain::Sensitive;
use support::Platform;
use tracing_subscriber::EnvFilter;

const ID_NUMBER: &str = "11010519491231002X";
const NAME: &str = "王芳";
const ACCOUNT_NAME: &str = "李明";
const PHONE: &str = "13800138000";
const CARD: &str = "6222020000000000018";
const MISMATCHED_CARD: &str = "6222020000000000026";
const PASSWORD: &str = "Signet-demo-1";

fn all_log_text(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    text
}

#[tokio::test]
async fn the_log_file_holds_no_personal_data_after_sign_in_step_one_and_bank_cards() {
    let log_dir = tempfile::tempdir().unwrap();
    let filter = EnvFilter::new("debug");
    let logs = logging::init_with_filter(Some(log_dir.path().into()), filter, false);
    assert_eq!(logs.dir(), Some(log_dir.path()), "the file logger is on");

    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let app_dir = tempfile::tempdir().unwrap();
    let store = Store::open(app_dir.path()).await.unwrap();
    let session = Session::new(store, Keyring::new(SERVICE), &platform.url(), Arc::new(|_| {}));
    let wrong = SignInForm {
        account: "staff01".into(),
        password: Sensitive::new("Signet-wrong-1".into()),
        server_url: platform.url(),
    };
    session.sign_in(wrong).await.unwrap_err();
    let form = SignInForm {
        account: "staff01".into(),
        password: Sensitive::new(PASSWORD.into()),
        server_url: platform.url(),
    };
    session.sign_in(form).await.unwrap();

    let identity = IdentityInput {
        document_type: DocumentType::IdCard,
        number: Sensitive::new(ID_NUMBER.into()),
        name: NAME.into(),
    };
    let accepted = real_name::submit_identity(&session, identity).await.unwrap();
    let card = |number: &str| BankCardForm {
        verification_id: accepted.verification_id.clone(),
        card_number: Sensitive::new(number.into()),
        phone: Sensitive::new(PHONE.into()),
    };
    real_name::verify_bank_card(&session, card("6222 0200 0000 0000 026")).await.unwrap();
    platform.clock.advance(60);
    real_name::verify_bank_card(&session, card(CARD)).await.unwrap();
    session.refresh_profile().await.unwrap();

    let access = session.authorized(|_, token| async move { Ok(token) }).await.unwrap();
    let keyring_account = platform.keyring_account("staff01", PASSWORD).await;
    let refresh = Keyring::new(SERVICE).get(&keyring_account).unwrap().unwrap();
    session.sign_out().await.unwrap();

    let text = all_log_text(log_dir.path());
    assert!(text.contains("Signet") && text.contains("starting"), "the start is logged:\n{text}");
    assert!(text.contains(&platform.addr.to_string()), "the HTTP traffic is logged:\n{text}");
    for (what, secret) in [
        ("identity number", ID_NUMBER),
        ("identity number, lower-case x", &ID_NUMBER.to_lowercase()),
        ("name", NAME),
        ("display name", ACCOUNT_NAME),
        ("phone", PHONE),
        ("card", CARD),
        ("card", MISMATCHED_CARD),
        ("grouped card", "6222 0200"),
        ("password", PASSWORD),
        ("wrong password", "Signet-wrong-1"),
        ("access token", access.expose()),
        ("refresh token", refresh.expose()),
    ] {
        assert!(!text.contains(secret), "the log holds the {what}:\n{text}");
    }
}
