//! The app over real TLS: a platform behind an https front (tokio-rustls on loopback, as a
//! campus's TLS-terminating proxy would be) whose certificate comes from a campus CA made here
//! with the `openssl` tool. The app checks certificates against the operating system's trust
//! store, so it refuses the platform while the machine does not trust that CA (a TLS failure,
//! not "unreachable"), and signs in once it does. On Linux the trust store honours
//! `SSL_CERT_FILE`, which stands in for installing the CA system-wide.
//!
//! One test in its own binary: it changes the process environment between two runtimes.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use signet_app::secrets::{Keyring, SERVICE};
use signet_app::session::{Session, SignInForm};
use signet_app::store::Store;
use signet_domain::{ErrorCode, Sensitive};
use support::Platform;
use tokio::net::{TcpListener, TcpStream};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A campus CA and a certificate it issued for `localhost` and 127.0.0.1 (P-256 keys).
fn make_campus_ca(dir: &Path) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=Signet Test Campus CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

/// An https front on a loopback port that passes each connection on to `platform`.
async fn https_front(dir: &Path, platform: std::net::SocketAddr) -> u16 {
    signet_app::platform::install_crypto_provider();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let config =
        rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake (the app distrusting the CA) just ends the connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut upstream) = TcpStream::connect(platform).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    port
}

/// Signs in to the platform through its https front.
async fn sign_in_over_https(dir: &Path) -> Result<(), signet_app::error::AppError> {
    let server_dir = tempfile::tempdir().unwrap();
    let platform = Platform::start(server_dir.path()).await;
    let port = https_front(dir, platform.addr).await;
    let url = format!("https://localhost:{port}");
    let app_dir = tempfile::tempdir().unwrap();
    let store = Store::open(app_dir.path()).await.unwrap();
    let session = Session::new(store, Keyring::new(SERVICE), &url, Arc::new(|_| {}));
    let form = SignInForm {
        account: "staff01".into(),
        password: Sensitive::new("Signet-demo-1".into()),
        server_url: url.clone(),
    };
    let signed_in = session.sign_in(form).await.map(|_| ());
    if signed_in.is_ok() {
        session.sign_out().await.unwrap();
    }
    signed_in
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn a_platform_with_a_campus_ca_certificate_works_once_the_machine_trusts_the_ca() {
    let dir = tempfile::tempdir().unwrap();
    make_campus_ca(dir.path());
    // The environment changes only while no runtime (no other thread of this test) runs.
    std::env::remove_var("SSL_CERT_FILE");
    std::env::remove_var("SSL_CERT_DIR");

    // The machine does not trust the campus CA: the handshake fails, and the app says TLS.
    let refused = runtime().block_on(sign_in_over_https(dir.path())).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::TlsFailure, "{refused}");

    // The machine trusts it (as after installing it system-wide): the same platform works.
    std::env::set_var("SSL_CERT_FILE", dir.path().join("ca.pem"));
    runtime().block_on(sign_in_over_https(dir.path())).unwrap();
}
