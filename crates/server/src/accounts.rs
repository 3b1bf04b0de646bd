//! Accounts: who may sign in, with which password and role, and where they stand in real-name
//! authentication. Used by the API, the CLI (`signet-server user add`) and tests.

use signet_domain::api::{
    check_text, MaskedIdentity, Profile, RealNameStatus, Role, MAX_ACCOUNT_CHARS,
    MAX_PASSWORD_CHARS,
};
use signet_domain::identity::{mask_id_number, DocumentType};
use signet_domain::{ErrorCode, Sensitive};
use sqlx::{Any, Row, Transaction};

use crate::error::AppError;
use crate::state::AppState;
use crate::tokens::new_id;

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// The account name as stored: trimmed, 1-64 characters, no control or hidden characters.
pub fn normalize_account(raw: &str) -> Result<String, AppError> {
    let account = raw.trim();
    check_text(account, MAX_ACCOUNT_CHARS).map_err(|p| AppError::invalid_text("account", p))?;
    Ok(account.to_owned())
}

/// Passwords are 1-256 characters without control characters; anything else is refused before
/// hashing.
pub fn check_password(password: &str) -> Result<(), AppError> {
    check_text(password, MAX_PASSWORD_CHARS).map_err(|p| AppError::invalid_text("password", p))
}

fn normalize_display_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    check_text(name, MAX_DISPLAY_NAME_CHARS)
        .map_err(|p| AppError::invalid_text("display_name", p))?;
    Ok(name.to_owned())
}

/// Creates an account (real-name status `unverified`) and returns its user id.
/// An account name already taken answers `conflict`.
pub async fn add_user(
    state: &AppState,
    account: &str,
    password: &str,
    display_name: &str,
    role: Role,
) -> Result<String, AppError> {
    let account = normalize_account(account)?;
    check_password(password)?;
    let display_name = normalize_display_name(display_name)?;
    if find_credentials(state, &account).await?.is_some() {
        return Err(account_taken());
    }
    let password_hash = state.passwords().hash(Sensitive::new(password.to_owned())).await?;
    let id = new_id();
    let now = state.now();
    let inserted = sqlx::query(
        "INSERT INTO users (id, account, password_hash, display_name, role, real_name_status,
                            created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(&account)
    .bind(&password_hash)
    .bind(&display_name)
    .bind(role.as_str())
    .bind(RealNameStatus::Unverified.as_str())
    .bind(now)
    .execute(state.pool())
    .await;
    match inserted {
        Ok(_) => {}
        // Lost a race with another insert of the same account.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(account_taken()),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(user_id = %id, account = %account, role = role.as_str(), "account created");
    Ok(id)
}

fn account_taken() -> AppError {
    AppError::new(ErrorCode::Conflict, "this account already exists")
        .with_details(serde_json::json!({ "field": "account" }))
}

/// Sets where `account` stands in real-name authentication, and the identity it verified or
/// submitted (`None` removes it). Only the masked number and the keyed hash of the full number
/// (trimmed, upper case; see [`crate::AppState::identity_hasher`]) are stored; the full number
/// is not.
pub async fn set_real_name(
    state: &AppState,
    account: &str,
    status: RealNameStatus,
    identity: Option<(DocumentType, &str, &str)>,
) -> Result<(), AppError> {
    let account = normalize_account(account)?;
    let identity = match identity {
        None => None,
        Some((document_type, number, name)) => {
            let number = Sensitive::new(number.trim().to_uppercase());
            let name = name.trim().to_owned();
            if number.expose().is_empty() {
                return Err(AppError::invalid_input("number", "document number is empty"));
            }
            if name.is_empty() {
                return Err(AppError::invalid_input("name", "name is empty"));
            }
            Some(StoredIdentity {
                document_type,
                number_masked: mask_id_number(number.expose()),
                number_hmac: state.identity_hasher().hmac_hex(number.expose()),
                name,
            })
        }
    };
    let Some((user_id, _)) = find_credentials(state, &account).await? else {
        return Err(AppError::new(ErrorCode::NotFound, "no such account"));
    };
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    write_real_name(&mut tx, &user_id, status, identity.as_ref(), now).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, status = status.as_str(), "real-name status set");
    Ok(())
}

/// An identity as the `identities` table keeps it: masked and keyed-hashed, never whole.
#[derive(Debug, Clone)]
pub(crate) struct StoredIdentity {
    pub(crate) document_type: DocumentType,
    pub(crate) number_masked: String,
    pub(crate) number_hmac: String,
    pub(crate) name: String,
}

/// Writes a user's real-name status and identity (`None` removes it) inside `tx`.
pub(crate) async fn write_real_name(
    tx: &mut Transaction<'_, Any>,
    user_id: &str,
    status: RealNameStatus,
    identity: Option<&StoredIdentity>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET real_name_status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    match identity {
        None => {
            sqlx::query("DELETE FROM identities WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
        }
        Some(identity) => {
            sqlx::query(
                "INSERT INTO identities (user_id, document_type, number_masked, number_sha256,
                                         number_hmac, name, updated_at)
                 VALUES ($1, $2, $3, NULL, $4, $5, $6)
                 ON CONFLICT (user_id) DO UPDATE SET
                     document_type = excluded.document_type,
                     number_masked = excluded.number_masked,
                     number_sha256 = NULL,
                     number_hmac = excluded.number_hmac,
                     name = excluded.name,
                     updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(identity.document_type.as_str())
            .bind(&identity.number_masked)
            .bind(&identity.number_hmac)
            .bind(&identity.name)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The user id and password hash of `account` (already normalised), if it exists.
pub(crate) async fn find_credentials(
    state: &AppState,
    account: &str,
) -> Result<Option<(String, String)>, AppError> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE account = $1")
        .bind(account)
        .fetch_optional(state.pool())
        .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some((row.try_get("id")?, row.try_get("password_hash")?))),
    }
}

/// The profile of `user_id` as `GET /api/v1/me` shows it.
pub(crate) async fn profile(state: &AppState, user_id: &str) -> Result<Option<Profile>, AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.account, u.display_name, u.role, u.real_name_status,
                i.document_type, i.number_masked, i.name
         FROM users u LEFT JOIN identities i ON i.user_id = u.id
         WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };

    let role: String = row.try_get("role")?;
    let status: String = row.try_get("real_name_status")?;
    let document_type: Option<String> = row.try_get("document_type")?;
    let number: Option<String> = row.try_get("number_masked")?;
    let name: Option<String> = row.try_get("name")?;
    let identity = match (document_type, number, name) {
        (Some(document_type), Some(number), Some(name)) => Some(MaskedIdentity {
            document_type: DocumentType::parse(&document_type)
                .ok_or_else(|| corrupt("document_type", &document_type))?,
            number,
            name,
        }),
        _ => None,
    };
    Ok(Some(Profile {
        user_id: row.try_get("id")?,
        account: row.try_get("account")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        real_name_status: RealNameStatus::parse(&status)
            .ok_or_else(|| corrupt("real_name_status", &status))?,
        identity,
    }))
}

fn corrupt(column: &'static str, value: &str) -> AppError {
    AppError::internal("unexpected value in the database", format!("{column} = {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_trimmed() {
        assert_eq!(normalize_account("  staff01 ").ok().as_deref(), Some("staff01"));
    }

    #[test]
    fn account_names_of_65_characters_are_refused() {
        assert!(normalize_account(&"a".repeat(64)).is_ok());
        let err = normalize_account(&"a".repeat(65)).err().map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::InvalidInput));
    }

    #[test]
    fn account_names_with_control_characters_are_refused() {
        assert!(normalize_account("staff\u{0}01").is_err());
        assert!(normalize_account("staff\n01").is_err());
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(check_password(&"密".repeat(256)).is_ok());
        assert!(check_password(&"密".repeat(257)).is_err());
        assert!(check_password("").is_err());
    }
}
