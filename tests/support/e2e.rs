//! Driving the real app binary in a real webview: tauri-driver in front of WebKitWebDriver,
//! under the Xvfb display and D-Bus session that `cargo xtask test` provides.
//!
//! Each [`Desktop`] is one user's machine: its own home directories (so app data, settings and
//! window state never leak between tests) and its own tauri-driver. [`Desktop::launch`] starts
//! the app; [`AppWindow::quit`] closes it; launching again is a relaunch on the same machine.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// One app at a time: the app is single-instance, and the machine has two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
/// The step a scenario is at, for the message when it runs out of time (a WebDriver call that
/// never returns says nothing by itself).
static STEP: Mutex<String> = Mutex::new(String::new());

fn step(what: impl Into<String>) {
    *STEP.lock().unwrap_or_else(|e| e.into_inner()) = what.into();
}

/// Long enough for a busy 2-core machine; a scenario as a whole still ends within `SCENARIO_LIMIT`.
const WAIT: Duration = Duration::from_secs(30);

/// Runs an end-to-end scenario on its own runtime, one scenario at a time.
pub fn scenario<F, Fut>(name: &str, body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // No scenario may hang the suite: a WebDriver call has no deadline of its own.
    let outcome = runtime
        .block_on(async { tokio::time::timeout(SCENARIO_LIMIT, body(name.to_string())).await });
    if outcome.is_err() {
        for pid in running_app_pids() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let at = STEP.lock().unwrap_or_else(|e| e.into_inner()).clone();
        panic!("scenario {name} did not finish within {SCENARIO_LIMIT:?}; it was at: {at}");
    }
}

const SCENARIO_LIMIT: Duration = Duration::from_secs(240);
/// How long one WebDriver session request may take (the app's start included).
const LAUNCH_ATTEMPT: Duration = Duration::from_secs(60);

pub struct Desktop {
    home: tempfile::TempDir,
    driver: Child,
    port: u16,
    platform_url: String,
    name: String,
    shots: u32,
    extra_env: Vec<(String, String)>,
    /// The app's command-line arguments at the next launch.
    args: Vec<String>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The app the scenarios drive when not the one this build made (an installed package).
static INSTALLED_APP: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Drives the app installed at `path` (say `/usr/bin/signet`) instead of this build's binary.
pub fn use_installed_app(path: &str) {
    let path = PathBuf::from(path);
    assert_eq!(INSTALLED_APP.get_or_init(|| path.clone()), &path, "one installed app per test run");
}

fn app_binary() -> PathBuf {
    INSTALLED_APP.get().cloned().unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_signet")))
}

pub fn screens_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    target.join("e2e-screens")
}

impl Desktop {
    /// A new machine whose app points at `platform_url` by default.
    pub fn new(name: &str, platform_url: &str) -> Self {
        Self::with_env(name, platform_url, &[])
    }

    pub fn with_env(name: &str, platform_url: &str, extra_env: &[(&str, &str)]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let extra_env: Vec<(String, String)> =
            extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let port = free_port();
        let driver = Self::spawn_driver(&home, port, platform_url, &extra_env);
        Self {
            home,
            driver,
            port,
            platform_url: platform_url.to_string(),
            name: name.to_string(),
            shots: 0,
            extra_env,
            args: Vec::new(),
        }
    }

    fn spawn_driver(
        home: &tempfile::TempDir,
        port: u16,
        platform_url: &str,
        extra_env: &[(String, String)],
    ) -> Child {
        let dir = |sub: &str| {
            let path = home.path().join(sub);
            std::fs::create_dir_all(&path).unwrap();
            path
        };
        let mut cmd = Command::new("tauri-driver");
        cmd.args(["--port", &port.to_string(), "--native-port", &free_port().to_string()])
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", dir("data"))
            .env("XDG_CONFIG_HOME", dir("config"))
            .env("XDG_CACHE_HOME", dir("cache"))
            .env("SIGNET_PLATFORM_URL", platform_url)
            .env("SIGNET_RECONNECT_SECS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd.spawn().expect("tauri-driver is on PATH (cargo xtask test installs it)")
    }

    /// The command-line arguments of the next launches.
    pub fn set_args(&mut self, args: &[&str]) {
        self.args = args.iter().map(|a| a.to_string()).collect();
    }

    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// Starts the app and waits until its first page is on screen.
    pub async fn launch(&mut self) -> AppWindow {
        wait_until_no_app_runs().await;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app_binary().display().to_string(), "args": self.args }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let started = Instant::now();
        step(format!("{}: launching the app", self.name));
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let mut builder = ClientBuilder::new(connector);
            builder.capabilities(caps.clone());
            match tokio::time::timeout(LAUNCH_ATTEMPT, builder.connect(&url)).await {
                Ok(Ok(client)) => break client,
                Ok(Err(e)) if started.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Ok(Err(e)) => panic!("could not start the app through tauri-driver: {e}"),
                // WebKitWebDriver started the app but never answered: end that app and ask again.
                Err(_) if started.elapsed() < 2 * LAUNCH_ATTEMPT => {
                    eprintln!(
                        "{}: no WebDriver session after {LAUNCH_ATTEMPT:?}; relaunching",
                        self.name
                    );
                    for pid in running_app_pids() {
                        let _ = Command::new("kill").arg(pid.to_string()).status();
                    }
                    wait_until_no_app_runs().await;
                }
                Err(_) => panic!("tauri-driver never opened a session with the app"),
            }
        };
        let window = AppWindow { client, desktop_name: self.name.clone(), shots: self.shots };
        window.wait_for("[data-testid^=page-]").await;
        window
    }

    /// Quits the app, keeping the screenshot count so names go on across relaunches.
    pub async fn close(&mut self, window: AppWindow) {
        self.shots = window.quit().await;
    }

    /// Kills the app with SIGKILL, as a crash or a power cut would end it: nothing of its own
    /// shutdown runs.
    pub async fn kill(&mut self, window: AppWindow) {
        self.shots = window.shots;
        for pid in running_app_pids() {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        wait_until_no_app_runs().await;
        // End the WebDriver session whose app is gone, so the next launch may start one.
        let _ = tokio::time::timeout(Duration::from_secs(5), window.client.close()).await;
    }

    pub fn platform_url(&self) -> &str {
        &self.platform_url
    }

    pub fn env(&self) -> &[(String, String)] {
        &self.extra_env
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver too, which otherwise
        // keeps the test's output open.
        let _ = Command::new("kill").arg(self.driver.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A scenario that failed half-way leaves its app open: close it, so the next scenario
        // (the app is single-instance) starts clean.
        for pid in running_app_pids() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// The app's processes, including one whose file a package update has since replaced (Linux then
/// names its executable `<path> (deleted)`).
pub fn running_app_pids() -> Vec<u32> {
    let exe = app_binary();
    let replaced = PathBuf::from(format!("{} (deleted)", exe.display()));
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            std::fs::read_link(entry.path().join("exe")).is_ok_and(|p| p == exe || p == replaced)
        })
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

/// Whether the app quit by itself within `limit` (say, after a command that ends it).
pub async fn app_exits_within(limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if running_app_pids().is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// The app is single-instance: a relaunch must wait until the last one has really gone.
async fn wait_until_no_app_runs() {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if running_app_pids().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("a previous app instance did not exit");
}

/// One running app.
pub struct AppWindow {
    pub client: Client,
    desktop_name: String,
    shots: u32,
}

pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl AppWindow {
    pub async fn wait_for(&self, css: &str) -> Element {
        step(format!("{}: waiting for {css}", self.desktop_name));
        let started = Instant::now();
        loop {
            // Looked up again on every error: besides "not there yet", WebKitWebDriver reports a
            // node that a re-render replaced mid-lookup as stale.
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => return element,
                Err(e) if started.elapsed() >= WAIT => {
                    self.failure_screenshot().await;
                    panic!("{css} never appeared: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// A screenshot shows the last frame WebKit painted, which can lag behind the DOM under
    /// Xvfb's software rendering: wait for two animation frames and a moment more.
    async fn settle_paint(&self) {
        let script = "const done = arguments[arguments.length - 1]; \
                      requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        let _ = self.client.execute_async(script, vec![]).await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    /// What the window showed when a step failed, to read beside the panic message.
    async fn failure_screenshot(&self) {
        self.settle_paint().await;
        if let Ok(png) = self.client.screenshot().await {
            let dir = screens_dir();
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}-FAILED.png", self.desktop_name)), png);
        }
    }

    /// Waits for the personal center to be shown and settled: its background loads (profile,
    /// history, signatures) each re-render the whole page, and a click whose press and release
    /// straddle a re-render lands on two different nodes and is no click at all.
    pub async fn center(&self) -> Element {
        let started = Instant::now();
        loop {
            let page = self.find("page-center").await;
            if page.attr("aria-busy").await.ok().flatten().as_deref() == Some("false") {
                return page;
            }
            if started.elapsed() >= WAIT {
                self.failure_screenshot().await;
                let pending = page.attr("data-pending").await.ok().flatten();
                panic!("the personal center never finished loading (still pending: {pending:?})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for an element by its `data-testid` and for it to be displayed.
    pub async fn find(&self, id: &str) -> Element {
        let css = testid(id);
        let started = Instant::now();
        loop {
            let element = self.wait_for(&css).await;
            if element.is_displayed().await.unwrap_or(false) {
                return element;
            }
            assert!(started.elapsed() < WAIT, "{id} exists but is never shown");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element is on screen now (present and displayed).
    pub async fn shows(&self, id: &str) -> bool {
        // An element found and then asked about can have been replaced by a re-render in
        // between (WebKitWebDriver: stale element); ask about its replacement.
        for _ in 0..10 {
            match self.client.find(Locator::Css(&testid(id))).await {
                Ok(element) => match element.is_displayed().await {
                    Ok(shown) => return shown,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                Err(_) => return false,
            }
        }
        false
    }

    /// Waits until an element is gone or hidden.
    pub async fn wait_gone(&self, id: &str) {
        let started = Instant::now();
        while self.shows(id).await {
            assert!(started.elapsed() < WAIT, "{id} never went away");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element's text. Pages re-render (a countdown ticks, a check answers), so an element
    /// found a moment ago may be replaced before it is read: then it is looked up again.
    pub async fn text(&self, id: &str) -> String {
        let started = Instant::now();
        loop {
            match self.find(id).await.text().await {
                Ok(text) => return text,
                Err(e) if started.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("could not read {id}: {e}"),
            }
        }
    }

    /// Waits until an element's text contains `needle`, returning the text.
    pub async fn wait_text(&self, id: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(id).await;
            if text.contains(needle) {
                return text;
            }
            assert!(started.elapsed() < WAIT, "{id} never said {needle:?}; it says {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element; when a re-render replaced it or something still covers it (a banner
    /// sliding away), looks it up and tries again, as a person would click again.
    pub async fn click(&self, id: &str) {
        let started = Instant::now();
        loop {
            let element = self.find(id).await;
            step(format!("{}: clicking {id}", self.desktop_name));
            match element.click().await {
                Ok(()) => return,
                Err(e) if started.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                Err(e) => {
                    self.failure_screenshot().await;
                    panic!("{id} cannot be clicked: {e}");
                }
            }
        }
    }

    pub async fn type_into(&self, id: &str, text: &str) {
        let field = self.find(id).await;
        step(format!("{}: typing into {id}", self.desktop_name));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
        // Forms check input as it is typed (debounced); let that settle as a person's pause would.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// An attribute of the element, looked up again when a re-render replaced it meanwhile.
    pub async fn attr(&self, id: &str, name: &str) -> Option<String> {
        let started = Instant::now();
        loop {
            match self.find(id).await.attr(name).await {
                Ok(value) => return value,
                Err(e) if started.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{id}: cannot read {name}: {e}"),
            }
        }
    }

    /// Saves a PNG of the window under `target/e2e-screens/`.
    pub async fn screenshot(&mut self, what: &str) {
        step(format!("{}: screenshot {what}", self.desktop_name));
        self.shots += 1;
        self.settle_paint().await;
        let png = self.client.screenshot().await.unwrap();
        let dir = screens_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}-{:02}-{what}.png", self.desktop_name, self.shots));
        std::fs::write(&path, png).unwrap();
    }

    /// Waits until the app opens a window besides `known`, and returns its handle.
    pub async fn wait_for_other_window(
        &self,
        known: &fantoccini::wd::WindowHandle,
    ) -> fantoccini::wd::WindowHandle {
        let started = Instant::now();
        loop {
            let windows = self.client.windows().await.unwrap();
            if let Some(other) = windows.into_iter().find(|w| w != known) {
                return other;
            }
            assert!(started.elapsed() < WAIT, "no second window opened");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fills and submits the sign-in form.
    pub async fn sign_in(&self, account: &str, password: &str) {
        self.type_into("account", account).await;
        self.type_into("password", password).await;
        self.click("sign-in-submit").await;
    }

    async fn quit(self) -> u32 {
        let shots = self.shots;
        if tokio::time::timeout(Duration::from_secs(15), self.client.close()).await.is_err() {
            // WebKitWebDriver did not close the app: do it, so the next launch starts clean.
            for pid in running_app_pids() {
                let _ = Command::new("kill").arg(pid.to_string()).status();
            }
        }
        shots
    }
}

// ---- real-name authentication paths shared by the scenarios ----

/// Signs in as `staff01` (not yet verified) and walks to step 1 of real-name authentication.
pub async fn to_identity_step(app: &mut AppWindow) {
    app.sign_in("staff01", "Signet-demo-1").await;
    app.center().await;
    app.click("entry-real-name").await;
    app.find("rn-consent").await;
    app.screenshot("consent").await;
    app.click("rn-consent-accept").await;
    app.find("rn-identity").await;
}

pub async fn fill_identity(app: &AppWindow, doc_type: &str, number: &str, name: &str) {
    app.find("rn-doc-type").await.select_by_value(doc_type).await.unwrap();
    app.type_into("rn-number", number).await;
    app.type_into("rn-name", name).await;
}

/// Step 1 as 王芳 (the sandbox providers' test identity), then `method` in the chooser.
pub async fn as_wang_fang_choose(app: &mut AppWindow, method: &str) {
    to_identity_step(app).await;
    fill_identity(app, "id_card", "11010519491231002X", "王芳").await;
    app.click("rn-identity-submit").await;
    app.click(&format!("rn-method-{method}")).await;
}

// ---- signatures ----

/// Writes a name-like signature on the pad: three "characters" of wavy strokes, moved the way
/// a hand moves a mouse (a few milliseconds between samples).
pub async fn write_on_pad(app: &AppWindow) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};

    let pad = app.find("sig-pad").await;
    let mut mouse = MouseActions::new("pen".to_string());
    for character in 0..3 {
        for stroke in 0..3 {
            let x0 = -220.0 + f64::from(character) * 150.0;
            let y0 = -40.0 + f64::from(stroke) * 30.0;
            mouse = mouse
                .then(PointerAction::MoveToElement {
                    element: pad.clone(),
                    duration: None,
                    x: x0,
                    y: y0,
                })
                .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT });
            for step in 1..=12 {
                let dy = if step % 2 == 0 { 9.0 } else { -9.0 };
                mouse = mouse.then(PointerAction::MoveBy {
                    duration: Some(Duration::from_millis(12)),
                    x: 9.0,
                    y: dy + f64::from(character),
                });
            }
            mouse = mouse.then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        }
    }
    app.client.perform_actions(mouse).await.unwrap();
    app.client.release_actions().await.unwrap();
}
