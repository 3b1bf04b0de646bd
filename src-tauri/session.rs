//! Sign-in, restore, profile and sign-out: the session as the user sees it.
//!
//! [`Session`] owns the platform client, the in-memory access token and the link to the keyring
//! entry that holds the refresh token. It knows nothing of Tauri: it reports connectivity and
//! session expiry through a [`Notifier`], so tests drive it against a real server directly.
//!
//! Refreshes are serialised by one lock: two calls that see an expired access token at once
//! must not both spend the same refresh token, or the platform would take it for a stolen one
//! and revoke the whole session.
//!
//! A kiosk's session ([`Session::new_kiosk`]) never touches the keyring: the refresh token lives
//! in memory only, nothing about the user (account, platform, current user) is remembered in
//! settings, and when the session ends — signed out, or expired — every user's data goes from
//! the local store ([`Store::wipe_user_data`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use signet_domain::api::{Profile, SessionTokens, MAX_ACCOUNT_CHARS, MAX_PASSWORD_CHARS};
use signet_domain::{ErrorCode, Sensitive};
use tokio::sync::Mutex;

use crate::error::{AppError, AppResult};
use crate::platform::{normalize_server_url, server_host, PlatformClient};
use crate::secrets::Keyring;
use crate::store::Store;

const KEY_LAST_ACCOUNT: &str = "last_account";
const KEY_SERVER_URL: &str = "server_url";
const KEY_CURRENT_USER: &str = "current_user";

/// What happened that the UI should hear about without asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Connectivity { online: bool },
    SessionExpired,
}

pub type Notifier = Arc<dyn Fn(SessionEvent) + Send + Sync>;

/// What the UI shows: the sign-in page, or the signed-in shell (perhaps offline, from cache).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SessionView {
    SignedOut {
        keyring_available: bool,
        reason: Option<SignedOutReason>,
    },
    SignedIn {
        keyring_available: bool,
        offline: bool,
        profile: Profile,
        /// When the shown profile was fetched, if it comes from the cache.
        cached_at: Option<i64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignedOutReason {
    SessionExpired,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SignInForm {
    pub account: String,
    pub password: Sensitive<String>,
    pub server_url: String,
}

/// The signed-in user, as remembered in settings between runs (no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CurrentUser {
    server: String,
    user_id: String,
}

impl CurrentUser {
    fn keyring_account(&self) -> String {
        format!("{}:{}", server_host(&self.server), self.user_id)
    }
}

#[derive(Default)]
struct Live {
    user: Option<CurrentUser>,
    client: Option<PlatformClient>,
    access: Option<Sensitive<String>>,
    /// Kept in memory only when the keyring is unavailable, so this run can still refresh.
    refresh_fallback: Option<Sensitive<String>>,
}

pub struct Session {
    store: Store,
    /// Where the refresh token rests; `None` without a usable keyring, and in kiosk mode: then
    /// it lives in memory ([`Live::refresh_fallback`]) and the session ends with the app.
    keyring: Option<Keyring>,
    kiosk: bool,
    default_server: String,
    live: Mutex<Live>,
    online: AtomicBool,
    notify: Notifier,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Session {
    pub fn new(store: Store, keyring: Keyring, default_server: &str, notify: Notifier) -> Self {
        let keyring = if keyring.is_available() {
            Some(keyring)
        } else {
            tracing::warn!("no usable OS keyring: the session will not be remembered");
            None
        };
        Self::with(store, keyring, false, default_server, notify)
    }

    /// A kiosk's session: no keyring at all, nothing of the user remembered, and every user's
    /// local data wiped whenever a session ends.
    pub fn new_kiosk(store: Store, default_server: &str, notify: Notifier) -> Self {
        tracing::info!("kiosk mode: sessions live in memory only");
        Self::with(store, None, true, default_server, notify)
    }

    fn with(
        store: Store,
        keyring: Option<Keyring>,
        kiosk: bool,
        default_server: &str,
        notify: Notifier,
    ) -> Self {
        Self {
            store,
            keyring,
            kiosk,
            default_server: default_server.to_string(),
            live: Mutex::new(Live::default()),
            online: AtomicBool::new(true),
            notify,
        }
    }

    /// Whether the session is kept in the OS keyring (false without one, and in kiosk mode).
    pub fn keyring_available(&self) -> bool {
        self.keyring.is_some()
    }

    pub fn is_kiosk(&self) -> bool {
        self.kiosk
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The platform address the sign-in form should show.
    pub async fn server_url(&self) -> AppResult<String> {
        Ok(self.store.setting(KEY_SERVER_URL).await?.unwrap_or_else(|| self.default_server.clone()))
    }

    pub async fn last_account(&self) -> AppResult<Option<String>> {
        self.store.setting(KEY_LAST_ACCOUNT).await
    }

    pub fn is_online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    /// Records whether the platform answered, telling the UI when that changes.
    pub fn set_online(&self, online: bool) {
        if self.online.swap(online, Ordering::SeqCst) != online {
            tracing::info!(online, "platform connectivity changed");
            (self.notify)(SessionEvent::Connectivity { online });
        }
    }

    fn signed_out(&self, reason: Option<SignedOutReason>) -> SessionView {
        SessionView::SignedOut { keyring_available: self.keyring_available(), reason }
    }

    fn signed_in(&self, profile: Profile, cached_at: Option<i64>) -> SessionView {
        SessionView::SignedIn {
            keyring_available: self.keyring_available(),
            offline: cached_at.is_some(),
            profile,
            cached_at,
        }
    }

    /// At start-up: the remembered session, renewed with the keyring's refresh token; the cached
    /// profile when the platform cannot be reached.
    pub async fn restore(&self) -> AppResult<SessionView> {
        if self.kiosk {
            // Nothing is remembered between runs; within a run the UI may have been reloaded.
            return if self.has_user().await {
                self.refresh_profile().await
            } else {
                Ok(self.signed_out(None))
            };
        }
        let Some(user) = self.remembered_user().await? else {
            return Ok(self.signed_out(None));
        };
        let Some(keyring) = &self.keyring else {
            return Ok(self.signed_out(None));
        };
        let Some(refresh) = keyring.get(&user.keyring_account())? else {
            self.store.delete_setting(KEY_CURRENT_USER).await?;
            return Ok(self.signed_out(None));
        };
        let client = PlatformClient::new(&user.server)?;
        {
            let mut live = self.live.lock().await;
            live.user = Some(user.clone());
            live.client = Some(client);
        }
        match self.renew(Some(refresh)).await {
            Ok(()) => self.fetch_profile().await,
            Err(e) if e.is_offline() => {
                self.set_online(false);
                self.cached_or(&user, e).await
            }
            Err(e) if e.ends_session() => {
                self.forget(false).await?;
                Ok(self.signed_out(Some(SignedOutReason::SessionExpired)))
            }
            Err(e) => Err(e),
        }
    }

    pub async fn sign_in(&self, form: SignInForm) -> AppResult<SessionView> {
        let account = form.account.trim().to_string();
        check_field("account", &account, MAX_ACCOUNT_CHARS)?;
        check_field("password", form.password.expose(), MAX_PASSWORD_CHARS)?;
        let server = normalize_server_url(&form.server_url)?;
        let client = PlatformClient::new(&server)?;
        let tokens = match client.sign_in(&account, &form.password).await {
            Ok(tokens) => tokens,
            Err(e) => {
                if e.is_offline() {
                    self.set_online(false);
                }
                return Err(e);
            }
        };
        self.set_online(true);
        if !self.kiosk {
            self.store.set_setting(KEY_LAST_ACCOUNT, &account).await?;
            self.store.set_setting(KEY_SERVER_URL, &server).await?;
        }
        let user = CurrentUser { server, user_id: tokens.user_id.clone() };
        {
            let mut live = self.live.lock().await;
            live.user = Some(user.clone());
            live.client = Some(client);
            self.keep_tokens(&mut live, tokens)?;
        }
        if !self.kiosk {
            let json = serde_json::to_string(&user).map_err(AppError::store)?;
            self.store.set_setting(KEY_CURRENT_USER, &json).await?;
        }
        self.fetch_profile().await
    }

    /// The profile from the platform; the cached one, marked offline, when it cannot be reached.
    pub async fn refresh_profile(&self) -> AppResult<SessionView> {
        let user = self.live.lock().await.user.clone();
        let Some(user) = user else {
            return Ok(self.signed_out(None));
        };
        match self.fetch_profile().await {
            Err(e) if e.is_offline() => self.cached_or(&user, e).await,
            Err(e) if e.ends_session() => {
                Ok(self.signed_out(Some(SignedOutReason::SessionExpired)))
            }
            other => other,
        }
    }

    /// Offline: the cached profile if there is one, else the error that made us offline.
    async fn cached_or(&self, user: &CurrentUser, offline: AppError) -> AppResult<SessionView> {
        match self.store.cached_profile(&user.server, &user.user_id).await? {
            Some(cached) => Ok(self.signed_in(cached.profile, Some(cached.fetched_at))),
            None => Err(offline),
        }
    }

    async fn fetch_profile(&self) -> AppResult<SessionView> {
        let profile =
            self.authorized(|client, token| async move { client.me(&token).await }).await?;
        let server = self.live.lock().await.user.as_ref().map(|u| u.server.clone());
        if let Some(server) = server {
            self.store.cache_profile(&server, &profile, now()).await?;
        }
        Ok(self.signed_in(profile, None))
    }

    /// Signs out here and on the platform: revokes the session there when it can be reached,
    /// and always forgets the keyring entry and the cached profile here.
    pub async fn sign_out(&self) -> AppResult<()> {
        let (user, client, access) = {
            let mut live = self.live.lock().await;
            let taken = (live.user.take(), live.client.take(), live.access.take());
            live.refresh_fallback = None;
            taken
        };
        let user = match user {
            Some(user) => Some(user),
            None => self.remembered_user().await?,
        };
        if let (Some(client), Some(access)) = (client, access) {
            if let Err(e) = client.sign_out(&access).await {
                tracing::warn!(
                    code = e.code().as_str(),
                    "platform sign-out failed; forgetting locally"
                );
            }
        }
        if let Some(user) = user {
            if let Some(keyring) = &self.keyring {
                keyring.delete(&user.keyring_account())?;
            }
            self.store.forget_profile(&user.server, &user.user_id).await?;
        }
        self.store.delete_setting(KEY_CURRENT_USER).await?;
        if self.kiosk {
            self.wipe_user_data().await?;
        }
        Ok(())
    }

    /// Removes every user's data from the local store, saying (without personal data) how many
    /// signature changes that had not reached the platform were dropped.
    pub async fn wipe_user_data(&self) -> AppResult<()> {
        let report = self.store.wipe_user_data().await?;
        if report.unsynced_changes > 0 {
            tracing::warn!(
                dropped = report.unsynced_changes,
                "signature changes that had not reached the platform were dropped"
            );
        }
        tracing::info!("local user data wiped");
        Ok(())
    }

    /// Runs an authorised platform call, renewing the access token once if it has expired.
    /// When the session cannot be renewed, forgets it and tells the UI.
    pub async fn authorized<T, F, Fut>(&self, call: F) -> AppResult<T>
    where
        F: Fn(PlatformClient, Sensitive<String>) -> Fut,
        Fut: std::future::Future<Output = AppResult<T>>,
    {
        let (client, access) = {
            let live = self.live.lock().await;
            (live.client.clone(), live.access.clone())
        };
        let client =
            client.ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))?;
        let result = match access.clone() {
            Some(token) => call(client.clone(), token).await,
            None => Err(AppError::new(ErrorCode::SessionExpired, "no access token yet")),
        };
        let result = match result {
            Err(e) if e.ends_session() => match self.renew_after(access.as_ref()).await {
                Ok(token) => call(client, token).await,
                Err(e) => Err(e),
            },
            other => other,
        };
        self.observe(&result);
        if let Err(e) = &result {
            if e.ends_session() {
                self.forget(true).await?;
            }
        }
        result
    }

    fn observe<T>(&self, result: &AppResult<T>) {
        match result {
            Err(e) if e.is_offline() => self.set_online(false),
            Ok(_) => self.set_online(true),
            Err(_) => {}
        }
    }

    /// Renews the access token unless another call already did since `seen` was read.
    async fn renew_after(&self, seen: Option<&Sensitive<String>>) -> AppResult<Sensitive<String>> {
        {
            let live = self.live.lock().await;
            if let Some(current) = &live.access {
                if Some(current) != seen {
                    return Ok(current.clone());
                }
            }
        }
        self.renew(None).await?;
        let live = self.live.lock().await;
        live.access
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, "no access token"))
    }

    /// Spends the refresh token (given, or read from the keyring) for a new pair.
    async fn renew(&self, refresh: Option<Sensitive<String>>) -> AppResult<()> {
        let mut live = self.live.lock().await;
        let user = live
            .user
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))?;
        let client = live
            .client
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))?;
        let refresh = match (refresh, &self.keyring) {
            (Some(token), _) => Some(token),
            (None, Some(keyring)) => keyring.get(&user.keyring_account())?,
            (None, None) => live.refresh_fallback.clone(),
        };
        let refresh =
            refresh.ok_or_else(|| AppError::new(ErrorCode::SessionExpired, "no refresh token"))?;
        let tokens = client.refresh(&refresh).await?;
        self.keep_tokens(&mut live, tokens)
    }

    fn keep_tokens(&self, live: &mut Live, tokens: SessionTokens) -> AppResult<()> {
        let account = live
            .user
            .as_ref()
            .map(CurrentUser::keyring_account)
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))?;
        live.access = Some(tokens.access_token);
        match &self.keyring {
            Some(keyring) => keyring.set(&account, &tokens.refresh_token)?,
            None => live.refresh_fallback = Some(tokens.refresh_token),
        }
        Ok(())
    }

    /// The session ended on the platform's side: forget it here, and tell the UI if asked.
    async fn forget(&self, notify: bool) -> AppResult<()> {
        let user = {
            let mut live = self.live.lock().await;
            live.access = None;
            live.refresh_fallback = None;
            live.client = None;
            live.user.take()
        };
        if let Some(user) = user {
            if let Some(keyring) = &self.keyring {
                keyring.delete(&user.keyring_account())?;
            }
            self.store.forget_profile(&user.server, &user.user_id).await?;
            self.store.delete_setting(KEY_CURRENT_USER).await?;
            if self.kiosk {
                self.wipe_user_data().await?;
            }
            if notify {
                (self.notify)(SessionEvent::SessionExpired);
            }
        }
        Ok(())
    }

    async fn remembered_user(&self) -> AppResult<Option<CurrentUser>> {
        match self.store.setting(KEY_CURRENT_USER).await? {
            None => Ok(None),
            Some(json) => match serde_json::from_str(&json) {
                Ok(user) => Ok(Some(user)),
                Err(_) => {
                    self.store.delete_setting(KEY_CURRENT_USER).await?;
                    Ok(None)
                }
            },
        }
    }

    /// Asks the platform whether it is there (for the reconnect loop).
    pub async fn probe(&self) -> bool {
        let client = match self.live.lock().await.client.clone() {
            Some(client) => client,
            None => return self.is_online(),
        };
        let online = client.health().await.is_ok();
        self.set_online(online);
        online
    }

    /// The platform client of the signed-in user.
    pub async fn client(&self) -> AppResult<PlatformClient> {
        self.live
            .lock()
            .await
            .client
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))
    }

    /// The signed-in user's id on the platform.
    pub async fn user_id(&self) -> AppResult<String> {
        self.live
            .lock()
            .await
            .user
            .as_ref()
            .map(|u| u.user_id.clone())
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))
    }

    /// The signed-in user as `(platform address, user id)`: the key of their local data.
    pub async fn owner(&self) -> AppResult<(String, String)> {
        self.live
            .lock()
            .await
            .user
            .as_ref()
            .map(|u| (u.server.clone(), u.user_id.clone()))
            .ok_or_else(|| AppError::new(ErrorCode::NotSignedIn, "not signed in"))
    }

    /// The signed-in user's profile as last fetched (it may be a little old).
    pub async fn cached_profile(&self) -> AppResult<Option<Profile>> {
        let (server, user_id) = self.owner().await?;
        Ok(self.store.cached_profile(&server, &user_id).await?.map(|c| c.profile))
    }

    /// Whether there is a signed-in user to keep connected.
    pub async fn has_user(&self) -> bool {
        self.live.lock().await.user.is_some()
    }
}

fn check_field(field: &str, value: &str, max_chars: usize) -> AppResult<()> {
    signet_domain::api::check_text(value, max_chars)
        .map_err(|problem| AppError::invalid_input(field, problem.as_str()))
}
