//! The demo accounts (`signet-server seed-demo`, `serve --seed-demo`): one unverified staff
//! member, one verified with the textbook resident ID number of GB 11643-1999, and a reviewer.

use signet_domain::api::{RealNameStatus, Role};
use signet_domain::identity::DocumentType;
use signet_domain::ErrorCode;

use crate::accounts::{add_user, find_credentials, normalize_account, set_real_name};
use crate::error::AppError;
use crate::state::AppState;

/// One demo account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccount {
    pub account: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub real_name_status: RealNameStatus,
    /// The verified identity, if any.
    pub identity: Option<DemoIdentity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoIdentity {
    pub document_type: DocumentType,
    /// The full (synthetic, public) number; the server stores it masked and hashed only.
    pub number: &'static str,
    pub name: &'static str,
}

/// The demo accounts, as the README documents them.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        account: "staff01",
        password: "Signet-demo-1",
        display_name: "李明",
        role: Role::Staff,
        real_name_status: RealNameStatus::Unverified,
        identity: None,
    },
    DemoAccount {
        account: "staff02",
        password: "Signet-demo-2",
        display_name: "王芳",
        role: Role::Staff,
        real_name_status: RealNameStatus::Verified,
        identity: Some(DemoIdentity {
            document_type: DocumentType::IdCard,
            number: "11010519491231002X",
            name: "王芳",
        }),
    },
    DemoAccount {
        account: "reviewer01",
        password: "Signet-review-1",
        display_name: "审核员",
        role: Role::Reviewer,
        real_name_status: RealNameStatus::Unverified,
        identity: None,
    },
];

/// Creates the demo accounts that do not exist yet; accounts that exist are left untouched, so
/// running it twice changes nothing.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    for demo in DEMO_ACCOUNTS {
        let account = normalize_account(demo.account)?;
        if find_credentials(state, &account).await?.is_some() {
            continue;
        }
        match add_user(state, demo.account, demo.password, demo.display_name, demo.role).await {
            Ok(_) => {}
            // Another seeder got there first.
            Err(e) if e.code() == ErrorCode::Conflict => continue,
            Err(e) => return Err(e),
        }
        let identity = demo.identity.map(|i| (i.document_type, i.number, i.name));
        if demo.real_name_status != RealNameStatus::Unverified || identity.is_some() {
            set_real_name(state, demo.account, demo.real_name_status, identity).await?;
        }
    }
    Ok(())
}
