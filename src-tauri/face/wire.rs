//! The face method's wire types, as the contract between the app and the platform names them.
//!
//! Stand-ins until `signet_domain::api` carries them (Stream S): then this module re-exports
//! those and the rest of the app does not change. The result is kept loose (codes as strings)
//! so that a reason this app does not know yet still reaches the UI, which shows a generic text.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/real-name/{verification_id}/face/challenge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceChallengeRequest {
    /// The user agreed to the face-data notice (a separate consent).
    pub consent: bool,
}

/// The digits to read aloud while recording, and how long the recording may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceChallenge {
    pub challenge_id: String,
    /// 4-6 digits.
    pub digits: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub min_duration_ms: u64,
    pub max_duration_ms: u64,
}

/// `POST .../face/uploads`: the clip's size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceUploadRequest {
    pub size: u64,
    pub sha256: String,
}

/// Where a clip upload stands (as `ManualUpload`, without the photo kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceUpload {
    pub upload_id: String,
    pub received: u64,
    pub size: u64,
    #[serde(default)]
    pub chunk_size: u64,
    pub complete: bool,
}

/// `POST .../face/submit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceSubmitRequest {
    pub challenge_id: String,
    pub upload_id: String,
}

/// The verification result of a face attempt: the shape of `VerificationResult` with the
/// liveness `reasons` (`no_face`, `rigid_motion`, `face_mismatch`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceResult {
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
}
