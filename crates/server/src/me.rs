//! `GET /api/v1/me`: the signed-in user's profile, with the masked identity.

use axum::extract::State;
use axum::Json;
use signet_domain::api::Profile;
use signet_domain::ErrorCode;

use crate::accounts;
use crate::error::{AppError, NoStore};
use crate::sessions::Authenticated;
use crate::state::AppState;

pub async fn me(
    State(state): State<AppState>,
    session: Authenticated,
) -> Result<NoStore<Json<Profile>>, AppError> {
    // Deleting a user cascades to its sessions, so a missing profile is a race with deletion.
    accounts::profile(&state, &session.user_id)
        .await?
        .map(|profile| NoStore(Json(profile)))
        .ok_or_else(|| AppError::new(ErrorCode::Unauthorized, "the account no longer exists"))
}
