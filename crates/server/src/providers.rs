//! Verification providers: the outside parties that check an identity (banks, carriers, Alipay,
//! the face-compare service),
//! each behind a trait so that real vendor adapters and the sandbox plug in the same way.
//!
//! The sandbox providers answer from documented registries of synthetic test identities (like a
//! payment provider's test cards), so every success and failure path can be reached on purpose.
//! The README lists them.
//!
//! The server never keeps a full identity number after step 1: providers receive it as the
//! keyed hash ([`IdentityHasher`]) and the sandbox compares that with the hash of its registry
//! entries. A real vendor adapter needs the number itself; it will have to receive it with the
//! method request (or from a short-lived encrypted copy), which is a change for when one exists.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use signet_domain::api::MismatchedElement;
use signet_domain::identity::{ValidBankCard, ValidMobileNumber};
use sqlx::AnyPool;

use crate::liveness::FaceImage;
use crate::secrets::IdentityHasher;

/// A boxed future, so that providers can be held as trait objects.
pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The provider did not answer in time. Not a failed attempt: the user may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the verification provider did not answer in time")]
pub struct ProviderTimeout;

/// The verifier's answer about four elements (四要素): name, ID number, card, reserved phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankCardCheck {
    /// The bank holds exactly this identity for this card and phone.
    Match,
    /// Something differs; `element` names it when the bank tells.
    Mismatch { element: Option<MismatchedElement> },
}

/// What the bank is asked to compare.
#[derive(Debug, Clone, Copy)]
pub struct BankCardQuery<'a> {
    /// The name of step 1, normalised.
    pub name: &'a str,
    /// HMAC of the normalised resident ID number (see [`IdentityHasher`]).
    pub id_number_hmac: &'a str,
    /// The hasher that produced `id_number_hmac`, to hash the provider's own records alike.
    pub hasher: &'a IdentityHasher,
    pub card: &'a ValidBankCard,
    pub phone: &'a ValidMobileNumber,
}

/// Bank-card verification (银行卡认证): does the bank hold this name and ID number for this card,
/// with this phone number reserved?
pub trait BankCardProvider: Send + Sync {
    fn check<'a>(
        &'a self,
        query: BankCardQuery<'a>,
    ) -> ProviderFuture<'a, Result<BankCardCheck, ProviderTimeout>>;
}

/// The carrier's answer about three elements (三要素): name, ID number, mobile number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierCheck {
    /// The number is registered to exactly this name and ID number.
    Match,
    /// Something differs; `element` names it when the carrier tells.
    Mismatch { element: Option<MismatchedElement> },
    /// The carrier cannot check this number (many virtual-operator numbers).
    Unsupported,
}

/// What the carrier is asked to compare.
#[derive(Debug, Clone, Copy)]
pub struct CarrierQuery<'a> {
    /// The name of step 1, normalised.
    pub name: &'a str,
    /// HMAC of the normalised resident ID number (see [`IdentityHasher`]).
    pub id_number_hmac: &'a str,
    /// The hasher that produced `id_number_hmac`, to hash the provider's own records alike.
    pub hasher: &'a IdentityHasher,
    pub phone: &'a ValidMobileNumber,
}

/// Phone verification (手机号认证), first half: is this mobile number registered to this name
/// and ID number? (The second half, the SMS code, goes through [`SmsSender`].)
pub trait CarrierProvider: Send + Sync {
    fn check<'a>(
        &'a self,
        query: CarrierQuery<'a>,
    ) -> ProviderFuture<'a, Result<CarrierCheck, ProviderTimeout>>;
}

/// One SMS to send: the verification code for the phone method.
#[derive(Debug, Clone, Copy)]
pub struct SmsMessage<'a> {
    pub phone: &'a ValidMobileNumber,
    /// Six digits.
    pub code: &'a str,
    /// Unix seconds.
    pub sent_at: i64,
}

/// Sends SMS codes. A real gateway adapter ignores `db`; the sandbox writes the message to the
/// `sandbox_sms_outbox` table of the platform database, where testers read it.
pub trait SmsSender: Send + Sync {
    fn send<'a>(
        &'a self,
        message: SmsMessage<'a>,
        db: &'a AnyPool,
    ) -> ProviderFuture<'a, Result<(), SmsSendError>>;
}

/// The SMS could not be handed to the gateway.
#[derive(Debug, thiserror::Error)]
pub enum SmsSendError {
    /// The gateway did not answer in time.
    #[error("the SMS gateway did not answer in time")]
    Timeout,
    /// Writing the sandbox outbox failed.
    #[error("the sandbox SMS outbox could not be written: {0}")]
    Outbox(#[from] sqlx::Error),
}

/// Alipay's answer once the user agreed on the authorization page: does the real-name identity
/// of the Alipay account match the identity being verified?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlipayCheck {
    /// The account's real-name identity is exactly this name and ID number.
    Match,
    /// Something differs; `element` names it when Alipay tells.
    Mismatch { element: Option<MismatchedElement> },
    /// The account declined the authorization (e.g. a risk-control refusal).
    Declined,
}

/// What Alipay is asked to compare.
#[derive(Debug, Clone, Copy)]
pub struct AlipayQuery<'a> {
    /// The Alipay account that authorized (in the sandbox: chosen on the sandbox page; a real
    /// adapter gets it from Alipay's authorization callback).
    pub account: &'a str,
    /// The name of step 1, normalised.
    pub name: &'a str,
    /// HMAC of the normalised resident ID number (see [`IdentityHasher`]).
    pub id_number_hmac: &'a str,
    /// The hasher that produced `id_number_hmac`, to hash the provider's own records alike.
    pub hasher: &'a IdentityHasher,
}

/// Alipay quick authentication (支付宝快捷认证, method B): after the user agreed on the
/// authorization page, compare the account's real-name identity with the one being verified.
pub trait AlipayProvider: Send + Sync {
    fn authorize<'a>(
        &'a self,
        query: AlipayQuery<'a>,
    ) -> ProviderFuture<'a, Result<AlipayCheck, ProviderTimeout>>;
}

/// The face-compare service's answer: is the face in the clip the face on record (the ID
/// card photo) for this ID number?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceCheck {
    Match,
    Mismatch,
}

/// What the face-compare service is asked.
#[derive(Debug, Clone, Copy)]
pub struct FaceCompareQuery<'a> {
    /// The name of step 1, normalised.
    pub name: &'a str,
    /// HMAC of the normalised resident ID number (see [`IdentityHasher`]).
    pub id_number_hmac: &'a str,
    /// The hasher that produced `id_number_hmac`, to hash the provider's own records alike.
    pub hasher: &'a IdentityHasher,
    /// The face the liveness analysis found (memory only).
    pub face: &'a FaceImage,
}

/// Face comparison (人像比对), the last step of face recognition (method D) once the clip
/// passed the liveness analysis: compare the face with the photo on record for the ID number.
pub trait FaceCompare: Send + Sync {
    fn compare<'a>(
        &'a self,
        query: FaceCompareQuery<'a>,
    ) -> ProviderFuture<'a, Result<FaceCheck, ProviderTimeout>>;
}

/// Every provider the server uses. [`Providers::sandbox`] is the default.
#[derive(Clone)]
pub struct Providers {
    pub bank_card: Arc<dyn BankCardProvider>,
    pub carrier: Arc<dyn CarrierProvider>,
    pub sms: Arc<dyn SmsSender>,
    pub alipay: Arc<dyn AlipayProvider>,
    pub face: Arc<dyn FaceCompare>,
}

impl Providers {
    /// The sandbox providers, answering from the registries documented in the README.
    pub fn sandbox() -> Self {
        Self {
            bank_card: Arc::new(SandboxBank),
            carrier: Arc::new(SandboxCarrier),
            sms: Arc::new(SandboxSmsSender),
            alipay: Arc::new(SandboxAlipay),
            face: Arc::new(SandboxFaceCompare),
        }
    }
}

impl Default for Providers {
    fn default() -> Self {
        Self::sandbox()
    }
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers").finish_non_exhaustive()
    }
}

/// How a sandbox bank card behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxBankBehaviour {
    /// The bank compares name, ID number and reserved phone with the holder's.
    Holder { name: &'static str, id_number: &'static str, phone: &'static str },
    /// The bank never answers: every check of this card is a provider timeout.
    Timeout,
}

/// One test card of the sandbox bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxBankCard {
    /// 19 digits, Luhn-valid, synthetic.
    pub card_number: &'static str,
    pub behaviour: SandboxBankBehaviour,
    /// What happens when it is tried with 王芳 / `11010519491231002X` / `13800138000`.
    pub note: &'static str,
}

/// The sandbox bank's cards (the README's table). Any card number not listed here answers a
/// mismatch on `card_number`. Elements are compared in the order name, ID number, phone, and the
/// first that differs is named.
pub const SANDBOX_BANK_CARDS: &[SandboxBankCard] = &[
    SandboxBankCard {
        card_number: "6222020000000000018",
        behaviour: SandboxBankBehaviour::Holder {
            name: "王芳",
            id_number: "11010519491231002X",
            phone: "13800138000",
        },
        note: "success",
    },
    SandboxBankCard {
        card_number: "6222020000000000026",
        behaviour: SandboxBankBehaviour::Holder {
            name: "王芳",
            id_number: "11010519491231002X",
            phone: "13900139000",
        },
        note: "failure: the reserved phone differs (mismatched_element = phone)",
    },
    SandboxBankCard {
        card_number: "6222020000000000034",
        behaviour: SandboxBankBehaviour::Holder {
            name: "王小芳",
            id_number: "11010519491231002X",
            phone: "13800138000",
        },
        note: "failure: the holder's name differs (mismatched_element = name)",
    },
    SandboxBankCard {
        card_number: "6222020000000000042",
        behaviour: SandboxBankBehaviour::Holder {
            name: "王芳",
            id_number: "110105198001010016",
            phone: "13800138000",
        },
        note: "failure: the holder's ID number differs (mismatched_element = id_number)",
    },
    SandboxBankCard {
        card_number: "6222020000000000059",
        behaviour: SandboxBankBehaviour::Timeout,
        note: "provider timeout (504 provider_timeout, not counted)",
    },
];

/// The sandbox bank: answers from [`SANDBOX_BANK_CARDS`], at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxBank;

impl SandboxBank {
    /// The decision, without the async wrapper.
    pub fn decide(query: &BankCardQuery<'_>) -> Result<BankCardCheck, ProviderTimeout> {
        let Some(card) =
            SANDBOX_BANK_CARDS.iter().find(|card| card.card_number == query.card.number())
        else {
            return Ok(mismatch(MismatchedElement::CardNumber));
        };
        match card.behaviour {
            SandboxBankBehaviour::Timeout => Err(ProviderTimeout),
            SandboxBankBehaviour::Holder { name, id_number, phone } => {
                if name != query.name {
                    Ok(mismatch(MismatchedElement::Name))
                } else if query.hasher.hmac_hex(id_number) != query.id_number_hmac {
                    Ok(mismatch(MismatchedElement::IdNumber))
                } else if phone != query.phone.number() {
                    Ok(mismatch(MismatchedElement::Phone))
                } else {
                    Ok(BankCardCheck::Match)
                }
            }
        }
    }
}

fn mismatch(element: MismatchedElement) -> BankCardCheck {
    BankCardCheck::Mismatch { element: Some(element) }
}

impl BankCardProvider for SandboxBank {
    fn check<'a>(
        &'a self,
        query: BankCardQuery<'a>,
    ) -> ProviderFuture<'a, Result<BankCardCheck, ProviderTimeout>> {
        Box::pin(async move { Self::decide(&query) })
    }
}

/// How a sandbox mobile number behaves at the carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxPhoneBehaviour {
    /// Registered to this holder. The carrier compares name and ID number with the holder's:
    /// when both differ the number belongs to someone else (`phone`), otherwise it names the
    /// one that differs.
    Holder { name: &'static str, id_number: &'static str },
    /// The carrier never answers: a provider timeout.
    Timeout,
    /// The carrier cannot check the number (a virtual operator).
    Unsupported,
}

/// One test number of the sandbox carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxPhone {
    /// 11 digits, synthetic.
    pub phone: &'static str,
    pub behaviour: SandboxPhoneBehaviour,
    /// What happens when it is tried with 王芳 / `11010519491231002X`.
    pub note: &'static str,
}

/// The sandbox carrier's numbers (the README's table). Any number not listed is a mismatch on
/// `phone` (not registered to this identity).
pub const SANDBOX_PHONES: &[SandboxPhone] = &[
    SandboxPhone {
        phone: "13800138000",
        behaviour: SandboxPhoneBehaviour::Holder {
            name: "王芳", id_number: "11010519491231002X"
        },
        note: "match: an SMS code is sent",
    },
    SandboxPhone {
        phone: "13900139000",
        behaviour: SandboxPhoneBehaviour::Holder {
            name: "李明", id_number: "110105198001010016"
        },
        note: "failure: registered to someone else (mismatched_element = phone)",
    },
    SandboxPhone {
        phone: "13700137000",
        behaviour: SandboxPhoneBehaviour::Holder {
            name: "王小芳",
            id_number: "11010519491231002X",
        },
        note: "failure: the holder's name differs (mismatched_element = name)",
    },
    SandboxPhone {
        phone: "13600136000",
        behaviour: SandboxPhoneBehaviour::Holder {
            name: "王芳", id_number: "110105198001010016"
        },
        note: "failure: the holder's ID number differs (mismatched_element = id_number)",
    },
    SandboxPhone {
        phone: "13500135000",
        behaviour: SandboxPhoneBehaviour::Timeout,
        note: "provider timeout (504 provider_timeout, not counted)",
    },
    SandboxPhone {
        phone: "17000000000",
        behaviour: SandboxPhoneBehaviour::Unsupported,
        note: "failure: virtual operator, the carrier cannot check it (carrier_check_unsupported)",
    },
];

/// The sandbox carrier: answers from [`SANDBOX_PHONES`], at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxCarrier;

impl SandboxCarrier {
    /// The decision, without the async wrapper.
    pub fn decide(query: &CarrierQuery<'_>) -> Result<CarrierCheck, ProviderTimeout> {
        let Some(entry) = SANDBOX_PHONES.iter().find(|p| p.phone == query.phone.number()) else {
            return Ok(CarrierCheck::Mismatch { element: Some(MismatchedElement::Phone) });
        };
        match entry.behaviour {
            SandboxPhoneBehaviour::Timeout => Err(ProviderTimeout),
            SandboxPhoneBehaviour::Unsupported => Ok(CarrierCheck::Unsupported),
            SandboxPhoneBehaviour::Holder { name, id_number } => {
                let name_differs = name != query.name;
                let id_differs = query.hasher.hmac_hex(id_number) != query.id_number_hmac;
                let element = match (name_differs, id_differs) {
                    (false, false) => return Ok(CarrierCheck::Match),
                    (true, true) => MismatchedElement::Phone,
                    (true, false) => MismatchedElement::Name,
                    (false, true) => MismatchedElement::IdNumber,
                };
                Ok(CarrierCheck::Mismatch { element: Some(element) })
            }
        }
    }
}

impl CarrierProvider for SandboxCarrier {
    fn check<'a>(
        &'a self,
        query: CarrierQuery<'a>,
    ) -> ProviderFuture<'a, Result<CarrierCheck, ProviderTimeout>> {
        Box::pin(async move { Self::decide(&query) })
    }
}

/// The sandbox SMS gateway: every message lands in `sandbox_sms_outbox` (with the full number
/// and code, for testers: sandbox only), readable at `GET /sandbox/sms` and with
/// `signet-server sandbox sms`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxSmsSender;

impl SmsSender for SandboxSmsSender {
    fn send<'a>(
        &'a self,
        message: SmsMessage<'a>,
        db: &'a AnyPool,
    ) -> ProviderFuture<'a, Result<(), SmsSendError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO sandbox_sms_outbox (id, phone_masked, phone, code, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(crate::tokens::new_id())
            .bind(message.phone.masked())
            .bind(message.phone.number())
            .bind(message.code)
            .bind(message.sent_at)
            .execute(db)
            .await?;
            Ok(())
        })
    }
}

/// How a sandbox Alipay account behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxAlipayBehaviour {
    /// The account is real-name verified as this holder; Alipay compares name, then ID number.
    Holder { name: &'static str, id_number: &'static str },
    /// The account declines the authorization (`alipay_declined`).
    Declines,
    /// Alipay never answers: the session stays pending until it expires (`alipay_timeout`,
    /// recorded as a provider timeout, not counted).
    Timeout,
}

/// One test account of the sandbox Alipay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxAlipayAccount {
    pub account: &'static str,
    pub behaviour: SandboxAlipayBehaviour,
    /// What happens when it authorizes 王芳 / `11010519491231002X`.
    pub note: &'static str,
}

/// The sandbox Alipay's accounts (the README's table), offered on the sandbox authorization
/// page in this order (radio `alipay-account-<index>`). Elements are compared in the order
/// name, ID number, and the first that differs is named.
pub const SANDBOX_ALIPAY_ACCOUNTS: &[SandboxAlipayAccount] = &[
    SandboxAlipayAccount {
        account: "wangfang@sandbox.alipay",
        behaviour: SandboxAlipayBehaviour::Holder { name: "王芳", id_number: "11010519491231002X" },
        note: "success",
    },
    SandboxAlipayAccount {
        account: "liming@sandbox.alipay",
        behaviour: SandboxAlipayBehaviour::Holder { name: "李明", id_number: "110105198001010016" },
        note: "failure: another person's account (elements_mismatch, mismatched_element = name)",
    },
    SandboxAlipayAccount {
        account: "wangfang.other@sandbox.alipay",
        behaviour: SandboxAlipayBehaviour::Holder { name: "王芳", id_number: "110105198001010016" },
        note: "failure: same name, another ID number (elements_mismatch, mismatched_element = id_number)",
    },
    SandboxAlipayAccount {
        account: "declined@sandbox.alipay",
        behaviour: SandboxAlipayBehaviour::Declines,
        note: "failure: the account declines (alipay_declined)",
    },
    SandboxAlipayAccount {
        account: "timeout@sandbox.alipay",
        behaviour: SandboxAlipayBehaviour::Timeout,
        note: "provider timeout: pending until the session expires (alipay_timeout, not counted)",
    },
];

/// The sandbox Alipay: answers from [`SANDBOX_ALIPAY_ACCOUNTS`], at once. An account not
/// listed is a mismatch without a named element.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxAlipay;

impl SandboxAlipay {
    /// The registry entry of `account`, if any.
    pub fn account(account: &str) -> Option<&'static SandboxAlipayAccount> {
        SANDBOX_ALIPAY_ACCOUNTS.iter().find(|a| a.account == account)
    }

    /// The decision, without the async wrapper.
    pub fn decide(query: &AlipayQuery<'_>) -> Result<AlipayCheck, ProviderTimeout> {
        let Some(entry) = Self::account(query.account) else {
            return Ok(AlipayCheck::Mismatch { element: None });
        };
        match entry.behaviour {
            SandboxAlipayBehaviour::Timeout => Err(ProviderTimeout),
            SandboxAlipayBehaviour::Declines => Ok(AlipayCheck::Declined),
            SandboxAlipayBehaviour::Holder { name, id_number } => {
                if name != query.name {
                    Ok(AlipayCheck::Mismatch { element: Some(MismatchedElement::Name) })
                } else if query.hasher.hmac_hex(id_number) != query.id_number_hmac {
                    Ok(AlipayCheck::Mismatch { element: Some(MismatchedElement::IdNumber) })
                } else {
                    Ok(AlipayCheck::Match)
                }
            }
        }
    }
}

impl AlipayProvider for SandboxAlipay {
    fn authorize<'a>(
        &'a self,
        query: AlipayQuery<'a>,
    ) -> ProviderFuture<'a, Result<AlipayCheck, ProviderTimeout>> {
        Box::pin(async move { Self::decide(&query) })
    }
}

/// How the sandbox face-compare service treats an ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxFaceBehaviour {
    /// The photo on record matches any live face.
    Matches,
    /// The photo on record never matches (`face_mismatch`).
    NeverMatches,
    /// The service never answers: a provider timeout.
    Timeout,
}

/// One test identity of the sandbox face-compare service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxFaceIdentity {
    pub name: &'static str,
    /// A valid resident ID number, synthetic.
    pub id_number: &'static str,
    pub behaviour: SandboxFaceBehaviour,
    /// What happens when a clip that passed the liveness analysis is compared.
    pub note: &'static str,
}

/// The sandbox face-compare service's identities (the README's table). Any ID number not
/// listed matches: the sandbox has no photos, so a live clip is what decides there.
pub const SANDBOX_FACE_IDENTITIES: &[SandboxFaceIdentity] = &[
    SandboxFaceIdentity {
        name: "王芳",
        id_number: "11010519491231002X",
        behaviour: SandboxFaceBehaviour::Matches,
        note: "success (after a clip that passes the liveness analysis)",
    },
    SandboxFaceIdentity {
        name: "张伟",
        id_number: "110105199001010037",
        behaviour: SandboxFaceBehaviour::NeverMatches,
        note: "failure: the face never matches the photo on record (face_mismatch)",
    },
    SandboxFaceIdentity {
        name: "刘洋",
        id_number: "110105199001010053",
        behaviour: SandboxFaceBehaviour::Timeout,
        note: "provider timeout (504 provider_timeout, not counted)",
    },
];

/// The sandbox face-compare service: answers from [`SANDBOX_FACE_IDENTITIES`] by ID number
/// (the name is not compared: steps before this one check it), at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxFaceCompare;

impl SandboxFaceCompare {
    /// The decision, without the async wrapper.
    pub fn decide(query: &FaceCompareQuery<'_>) -> Result<FaceCheck, ProviderTimeout> {
        let entry = SANDBOX_FACE_IDENTITIES
            .iter()
            .find(|entry| query.hasher.hmac_hex(entry.id_number) == query.id_number_hmac);
        match entry.map(|e| e.behaviour) {
            None | Some(SandboxFaceBehaviour::Matches) => Ok(FaceCheck::Match),
            Some(SandboxFaceBehaviour::NeverMatches) => Ok(FaceCheck::Mismatch),
            Some(SandboxFaceBehaviour::Timeout) => Err(ProviderTimeout),
        }
    }
}

impl FaceCompare for SandboxFaceCompare {
    fn compare<'a>(
        &'a self,
        query: FaceCompareQuery<'a>,
    ) -> ProviderFuture<'a, Result<FaceCheck, ProviderTimeout>> {
        Box::pin(async move { Self::decide(&query) })
    }
}

#[cfg(test)]
mod tests {
    use signet_domain::identity::{validate_bank_card, validate_mobile_number, Warning};

    use super::*;

    fn decide(
        card: &str,
        name: &str,
        id_number: &str,
        phone: &str,
    ) -> Result<BankCardCheck, ProviderTimeout> {
        let hasher = IdentityHasher::with_key(&[7; 32]);
        let card = validate_bank_card(card).expect("valid card");
        let phone = validate_mobile_number(phone).expect("valid phone");
        let id_number_hmac = hasher.hmac_hex(id_number);
        SandboxBank::decide(&BankCardQuery {
            name,
            id_number_hmac: &id_number_hmac,
            hasher: &hasher,
            card: &card,
            phone: &phone,
        })
    }

    #[test]
    fn every_sandbox_card_is_a_luhn_valid_19_digit_number() {
        for card in SANDBOX_BANK_CARDS {
            let valid = validate_bank_card(card.card_number).expect("valid card");
            assert_eq!(valid.number().len(), 19);
            assert!(!valid.warnings().contains(&Warning::LuhnFailed), "{}", card.card_number);
        }
    }

    #[test]
    fn each_sandbox_card_answers_as_its_note_says() {
        let id = "11010519491231002X";
        let try_card = |card: &str| decide(card, "王芳", id, "13800138000");
        assert_eq!(try_card("6222020000000000018"), Ok(BankCardCheck::Match));
        assert_eq!(try_card("6222020000000000026"), Ok(mismatch(MismatchedElement::Phone)));
        assert_eq!(try_card("6222020000000000034"), Ok(mismatch(MismatchedElement::Name)));
        assert_eq!(try_card("6222020000000000042"), Ok(mismatch(MismatchedElement::IdNumber)));
        assert_eq!(try_card("6222020000000000059"), Err(ProviderTimeout));
        assert_eq!(try_card("6222020000000000067"), Ok(mismatch(MismatchedElement::CardNumber)));
    }

    fn carrier(phone: &str, name: &str, id_number: &str) -> Result<CarrierCheck, ProviderTimeout> {
        let hasher = IdentityHasher::with_key(&[7; 32]);
        let phone = validate_mobile_number(phone).expect("valid phone");
        let id_number_hmac = hasher.hmac_hex(id_number);
        SandboxCarrier::decide(&CarrierQuery {
            name,
            id_number_hmac: &id_number_hmac,
            hasher: &hasher,
            phone: &phone,
        })
    }

    #[test]
    fn each_sandbox_phone_answers_as_its_note_says() {
        let id = "11010519491231002X";
        let element = |e| Ok(CarrierCheck::Mismatch { element: Some(e) });
        assert_eq!(carrier("13800138000", "王芳", id), Ok(CarrierCheck::Match));
        assert_eq!(carrier("13900139000", "王芳", id), element(MismatchedElement::Phone));
        assert_eq!(carrier("13700137000", "王芳", id), element(MismatchedElement::Name));
        assert_eq!(carrier("13600136000", "王芳", id), element(MismatchedElement::IdNumber));
        assert_eq!(carrier("13500135000", "王芳", id), Err(ProviderTimeout));
        assert_eq!(carrier("17000000000", "王芳", id), Ok(CarrierCheck::Unsupported));
        assert_eq!(carrier("13312345678", "王芳", id), element(MismatchedElement::Phone));
        // 13900139000 matches its own holder.
        assert_eq!(carrier("13900139000", "李明", "110105198001010016"), Ok(CarrierCheck::Match));
    }

    #[test]
    fn every_sandbox_phone_is_a_valid_mobile_number() {
        for entry in SANDBOX_PHONES {
            let valid = validate_mobile_number(entry.phone).expect("valid phone");
            assert_eq!(valid.number(), entry.phone);
        }
    }

    #[test]
    fn each_sandbox_alipay_account_answers_as_its_note_says() {
        let hasher = IdentityHasher::with_key(&[7; 32]);
        let id_number_hmac = hasher.hmac_hex("11010519491231002X");
        let decide = |account: &str| {
            SandboxAlipay::decide(&AlipayQuery {
                account,
                name: "王芳",
                id_number_hmac: &id_number_hmac,
                hasher: &hasher,
            })
        };
        let element = |e| Ok(AlipayCheck::Mismatch { element: Some(e) });
        assert_eq!(decide("wangfang@sandbox.alipay"), Ok(AlipayCheck::Match));
        assert_eq!(decide("liming@sandbox.alipay"), element(MismatchedElement::Name));
        assert_eq!(decide("wangfang.other@sandbox.alipay"), element(MismatchedElement::IdNumber));
        assert_eq!(decide("declined@sandbox.alipay"), Ok(AlipayCheck::Declined));
        assert_eq!(decide("timeout@sandbox.alipay"), Err(ProviderTimeout));
        assert_eq!(decide("nobody@sandbox.alipay"), Ok(AlipayCheck::Mismatch { element: None }));
    }

    #[test]
    fn each_sandbox_face_identity_answers_as_its_note_says() {
        let hasher = IdentityHasher::with_key(&[7; 32]);
        let face = FaceImage { width: 1, height: 1, rgb: vec![0, 0, 0] };
        let decide = |id_number: &str| {
            let id_number_hmac = hasher.hmac_hex(id_number);
            SandboxFaceCompare::decide(&FaceCompareQuery {
                name: "王芳",
                id_number_hmac: &id_number_hmac,
                hasher: &hasher,
                face: &face,
            })
        };
        assert_eq!(decide("11010519491231002X"), Ok(FaceCheck::Match));
        assert_eq!(decide("110105199001010037"), Ok(FaceCheck::Mismatch));
        assert_eq!(decide("110105199001010053"), Err(ProviderTimeout));
        assert_eq!(decide("110105198001010016"), Ok(FaceCheck::Match), "not listed: matches");
    }

    #[test]
    fn every_sandbox_face_identity_is_a_valid_resident_id_number() {
        use signet_domain::identity::{validate_document_number, CalendarDate, DocumentType};
        let today = CalendarDate::new(2026, 1, 1).expect("a date");
        for entry in SANDBOX_FACE_IDENTITIES {
            let valid = validate_document_number(DocumentType::IdCard, entry.id_number, today);
            assert!(valid.is_ok(), "{}: {valid:?}", entry.id_number);
        }
    }

    #[test]
    fn the_success_card_with_another_id_number_is_an_id_number_mismatch() {
        assert_eq!(
            decide("6222020000000000018", "王芳", "110105198001010016", "13800138000"),
            Ok(mismatch(MismatchedElement::IdNumber))
        );
    }
}
