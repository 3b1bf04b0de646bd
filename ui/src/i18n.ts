// UI text in Simplified Chinese (the default) and English. The English table is typed against the
// Chinese one, so a key missing from or added to either language is a compile error.
import type { Language } from "./types";

const zhCN = {
  "app.name": "Signet",
  "app.product": "可信电子凭证",
  "app.tagline": "可信电子凭证平台 · 桌面客户端",
  "app.purpose": "财务人员在此完成个人实名认证与签名维护。",
  "app.loading": "正在加载…",

  "lang.zh-CN": "简体中文",
  "lang.en": "English",

  "signIn.pageTitle": "登录",
  "signIn.heading": "登录平台账号",
  "signIn.subheading": "使用可信电子凭证平台的账号和密码登录。",
  "signIn.account": "账号",
  "signIn.accountPlaceholder": "工号或平台账号",
  "signIn.password": "密码",
  "signIn.showPassword": "显示密码",
  "signIn.hidePassword": "隐藏密码",
  "signIn.advanced": "高级设置",
  "signIn.serverUrl": "平台地址",
  "signIn.serverUrlHint": "一般无需修改。如需连接其他平台，请向管理员获取地址。",
  "signIn.submit": "登录",
  "signIn.submitting": "正在登录…",
  "signIn.accountRequired": "请输入账号",
  "signIn.passwordRequired": "请输入密码",
  "signIn.serverUrlRequired": "请输入平台地址",
  "signIn.keyringNotice": "系统钥匙串不可用：本机不会记住登录状态，每次启动都需要输入密码。",
  "signIn.sessionExpired": "登录已过期，请重新登录",
  "signIn.tokenReused":
    "为保护账户安全，您已被退出登录。如果最近没有在其他设备上登录，请尽快修改密码。",
  "signIn.unlocked": "现在可以重新登录。",
  "signIn.switchLanguage": "切换到英文界面",

  "shell.skipToContent": "跳到主要内容",
  "shell.accountMenu": "账户菜单：{name}",
  "shell.offline": "无法连接平台，正在显示 {time} 缓存的信息，恢复连接后将自动刷新。",
  "shell.offlineNoTime": "无法连接平台，正在显示缓存的信息，恢复连接后将自动刷新。",
  "shell.retryNow": "立即重试",
  "shell.retrying": "正在重试…",
  "menu.center": "个人中心",
  "menu.settings": "设置",
  "menu.signOut": "退出登录",

  "center.pageTitle": "个人中心",
  "center.account": "账号",
  "center.role": "角色",
  "center.realNameStatus": "实名状态",
  "center.refresh": "刷新",
  "center.refreshing": "正在刷新…",
  "center.identityTitle": "实名信息",
  "center.documentType": "证件类型",
  "center.documentNumber": "证件号码",
  "center.name": "姓名",
  "center.maskedNote": "为保护隐私，证件号码仅显示部分数字。",
  "center.identityEmpty": "尚未完成实名认证",
  "center.identityEmptyHint": "完成实名认证后，即可使用电子凭证签署等功能。",
  "center.identityCta": "去认证",
  "center.servicesTitle": "我的服务",
  "center.signOut": "退出登录",

  "role.staff": "教职工",
  "role.reviewer": "审核员",

  "status.unverified": "未实名认证",
  "status.pending_review": "审核中",
  "status.verified": "已实名认证",
  "status.rejected": "认证未通过",

  "doc.id_card": "居民身份证",
  "doc.passport": "护照",
  "doc.hk_macao_permit": "港澳居民来往内地通行证",
  "doc.taiwan_permit": "台湾居民来往大陆通行证",
  "doc.residence_permit": "港澳台居民居住证",
  "doc.foreign_permanent": "外国人永久居留身份证",

  "entry.realName.title": "实名认证",
  "entry.realName.desc.unverified": "核验您的身份：先填写证件信息，再选择一种认证方式。",
  "entry.realName.desc.pending_review": "您的认证申请正在审核，通常在 15–30 分钟内完成。",
  "entry.realName.desc.verified": "您已完成实名认证。证件信息有变化时可以重新认证。",
  "entry.realName.desc.rejected": "上次认证未通过。可以修改信息后重新认证，或换一种认证方式。",
  "entry.realName.action.unverified": "去认证",
  "entry.realName.action.pending_review": "查看进度",
  "entry.realName.action.verified": "重新认证",
  "entry.realName.action.rejected": "重新认证",
  "entry.signature.title": "签名维护",
  "entry.signature.desc": "手写或上传个人签名，可保存多个并设置一个默认签名。",
  "entry.signature.action": "管理签名",

  "realName.pageTitle": "实名认证",
  "realName.description":
    "分两步完成个人实名认证：先填写证件信息，再选择认证方式——银行卡、支付宝快捷认证、手机号、人脸识别或人工审核。",
  "signature.pageTitle": "签名维护",
  "signature.description": "手写绘制或上传图片设置个人签名，可以保存多个签名，并指定一个为默认签名。",
  "comingSoon.title": "此功能即将开放",
  "comingSoon.body": "我们正在完善这项功能，开放后可直接在这里使用。",
  "common.backToCenter": "返回个人中心",

  "settings.pageTitle": "设置",
  "settings.general": "通用",
  "settings.language": "界面语言",
  "settings.languageHint": "更改后立即生效，下次启动时保持不变。",
  "settings.about": "关于",
  "settings.version": "应用版本",
  "settings.serverUrl": "平台地址",
  "settings.keyring": "记住登录状态",
  "settings.keyringOn": "已启用（系统钥匙串）",
  "settings.keyringOff": "不可用：每次启动都需要输入密码",
  "settings.notAvailable": "—",

  "error.invalid_credentials": "账号或密码错误。",
  "error.attemptsLeft": "还可尝试 {n} 次。",
  "error.account_locked": "账户已锁定，请在 {time}后重试。",
  "error.account_locked.noTime": "账户已锁定，请稍后重试。",
  "error.rate_limited": "操作过于频繁，请在 {time}后重试。",
  "error.rate_limited.noTime": "操作过于频繁，请稍后重试。",
  "error.server_unreachable": "无法连接平台服务器，请检查网络或平台地址。",
  "error.tls_failure": "安全连接失败：平台证书无效或协议不匹配。",
  "error.session_expired": "登录已过期，请重新登录。",
  "error.refresh_token_reused":
    "登录凭证已被重复使用，为保护账户安全已退出登录。如非本人操作，请尽快修改密码。",
  "error.invalid_input": "输入内容有误，请检查后重试。",
  "error.invalid_input.field": "{field}填写有误，请检查是否为空、过长或包含不允许的字符。",
  "error.invalid_input.empty": "{field}不能为空。",
  "error.invalid_input.too_long": "{field}过长。",
  "error.invalid_input.invalid_characters": "{field}包含不允许的字符。",
  "error.protocol_error": "平台返回了无法识别的数据。请确认平台地址正确，或更新本客户端。",
  "error.keyring_unavailable": "无法使用系统钥匙串，本机不会记住登录状态。",
  "error.store_error": "本地数据读写失败。请重启应用；如仍有问题，请联系技术支持。",
  "error.internal": "应用内部错误，请重试；如仍有问题，请联系技术支持。",
  "error.unknown": "发生未知错误，请重试或联系技术支持。",
  "error.code": "错误代码：{code}",

  "field.account": "账号",
  "field.password": "密码",
  "field.server_url": "平台地址",
  "field.language": "界面语言",

  "time.minutesSeconds": "{m} 分 {s} 秒",
  "time.seconds": "{s} 秒",
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof zhCN;
type Dictionary = Record<MessageKey, string>;

const en: Dictionary = {
  "app.name": "Signet",
  "app.product": "Trusted Credentials",
  "app.tagline": "Trusted electronic credential platform · Desktop client",
  "app.purpose": "Finance staff complete real-name authentication and maintain their signatures here.",
  "app.loading": "Loading…",

  "lang.zh-CN": "简体中文",
  "lang.en": "English",

  "signIn.pageTitle": "Sign in",
  "signIn.heading": "Sign in to the platform",
  "signIn.subheading": "Use your trusted electronic credential platform account and password.",
  "signIn.account": "Account",
  "signIn.accountPlaceholder": "Staff number or platform account",
  "signIn.password": "Password",
  "signIn.showPassword": "Show password",
  "signIn.hidePassword": "Hide password",
  "signIn.advanced": "Advanced",
  "signIn.serverUrl": "Platform address",
  "signIn.serverUrlHint": "Usually left unchanged. Ask your administrator for the address of another platform.",
  "signIn.submit": "Sign in",
  "signIn.submitting": "Signing in…",
  "signIn.accountRequired": "Enter your account",
  "signIn.passwordRequired": "Enter your password",
  "signIn.serverUrlRequired": "Enter the platform address",
  "signIn.keyringNotice":
    "The system keychain is unavailable: this computer will not remember your sign-in, so you will need your password at every start.",
  "signIn.sessionExpired": "Your session has expired. Please sign in again.",
  "signIn.tokenReused":
    "You were signed out to protect your account. If you have not signed in on another device recently, change your password soon.",
  "signIn.unlocked": "You can sign in again now.",
  "signIn.switchLanguage": "Switch to Chinese",

  "shell.skipToContent": "Skip to main content",
  "shell.accountMenu": "Account menu: {name}",
  "shell.offline":
    "Cannot reach the platform. Showing information cached at {time}; it will refresh automatically when the connection is back.",
  "shell.offlineNoTime":
    "Cannot reach the platform. Showing cached information; it will refresh automatically when the connection is back.",
  "shell.retryNow": "Retry now",
  "shell.retrying": "Retrying…",
  "menu.center": "Personal center",
  "menu.settings": "Settings",
  "menu.signOut": "Sign out",

  "center.pageTitle": "Personal center",
  "center.account": "Account",
  "center.role": "Role",
  "center.realNameStatus": "Real-name status",
  "center.refresh": "Refresh",
  "center.refreshing": "Refreshing…",
  "center.identityTitle": "Identity",
  "center.documentType": "Document type",
  "center.documentNumber": "Document number",
  "center.name": "Name",
  "center.maskedNote": "For your privacy, only part of the document number is shown.",
  "center.identityEmpty": "Real-name authentication not completed",
  "center.identityEmptyHint": "Complete real-name authentication to sign electronic credentials.",
  "center.identityCta": "Start authentication",
  "center.servicesTitle": "My services",
  "center.signOut": "Sign out",

  "role.staff": "Staff",
  "role.reviewer": "Reviewer",

  "status.unverified": "Not verified",
  "status.pending_review": "Under review",
  "status.verified": "Verified",
  "status.rejected": "Not approved",

  "doc.id_card": "Resident ID card",
  "doc.passport": "Passport",
  "doc.hk_macao_permit": "Mainland Travel Permit for Hong Kong and Macao Residents",
  "doc.taiwan_permit": "Mainland Travel Permit for Taiwan Residents",
  "doc.residence_permit": "Residence Permit for Hong Kong, Macao and Taiwan Residents",
  "doc.foreign_permanent": "Foreign Permanent Resident ID Card",

  "entry.realName.title": "Real-name authentication",
  "entry.realName.desc.unverified": "Verify your identity: enter your document, then choose an authentication method.",
  "entry.realName.desc.pending_review": "Your application is being reviewed, usually within 15–30 minutes.",
  "entry.realName.desc.verified": "You are verified. Authenticate again if your document details change.",
  "entry.realName.desc.rejected":
    "Your last authentication was not approved. Correct your details and try again, or choose another method.",
  "entry.realName.action.unverified": "Start",
  "entry.realName.action.pending_review": "View progress",
  "entry.realName.action.verified": "Authenticate again",
  "entry.realName.action.rejected": "Authenticate again",
  "entry.signature.title": "Signature",
  "entry.signature.desc": "Draw or upload your personal signature; keep several and choose a default.",
  "entry.signature.action": "Manage signatures",

  "realName.pageTitle": "Real-name authentication",
  "realName.description":
    "Two steps: enter your identity document, then choose a method: bank card, Alipay quick authentication, mobile phone, face recognition or manual review.",
  "signature.pageTitle": "Signature",
  "signature.description":
    "Set your personal signature by drawing it or uploading an image. Keep several signatures and choose one as the default.",
  "comingSoon.title": "Coming soon",
  "comingSoon.body": "This feature is being finished and will be available right here.",
  "common.backToCenter": "Back to personal center",

  "settings.pageTitle": "Settings",
  "settings.general": "General",
  "settings.language": "Language",
  "settings.languageHint": "Applies immediately and is kept for the next start.",
  "settings.about": "About",
  "settings.version": "App version",
  "settings.serverUrl": "Platform address",
  "settings.keyring": "Remember sign-in",
  "settings.keyringOn": "On (system keychain)",
  "settings.keyringOff": "Unavailable: the password is needed at every start",
  "settings.notAvailable": "—",

  "error.invalid_credentials": "Incorrect account or password.",
  "error.attemptsLeft": "{n} attempts left.",
  "error.account_locked": "The account is locked. Try again in {time}.",
  "error.account_locked.noTime": "The account is locked. Try again later.",
  "error.rate_limited": "Too many attempts. Try again in {time}.",
  "error.rate_limited.noTime": "Too many attempts. Try again later.",
  "error.server_unreachable": "Cannot connect to the platform server. Check the network or the platform address.",
  "error.tls_failure": "Secure connection failed: the platform certificate is invalid or the protocol does not match.",
  "error.session_expired": "Your session has expired. Please sign in again.",
  "error.refresh_token_reused":
    "Your sign-in credentials were used twice, so you were signed out to protect your account. If this was not you, change your password soon.",
  "error.invalid_input": "Some input is invalid. Check it and try again.",
  "error.invalid_input.field": "{field} is invalid: check that it is not empty, not too long and has no disallowed characters.",
  "error.invalid_input.empty": "{field} cannot be empty.",
  "error.invalid_input.too_long": "{field} is too long.",
  "error.invalid_input.invalid_characters": "{field} contains characters that are not allowed.",
  "error.protocol_error":
    "The platform sent a response this app does not understand. Check the platform address, or update this app.",
  "error.keyring_unavailable": "The system keychain cannot be used; this computer will not remember your sign-in.",
  "error.store_error": "Local data could not be read or written. Restart the app; if it persists, contact support.",
  "error.internal": "Internal error. Try again; if it persists, contact support.",
  "error.unknown": "Something went wrong. Try again or contact support.",
  "error.code": "Error code: {code}",

  "field.account": "Account",
  "field.password": "Password",
  "field.server_url": "Platform address",
  "field.language": "Language",

  "time.minutesSeconds": "{m} min {s} s",
  "time.seconds": "{s} s",
};

const DICTIONARIES: Record<Language, Dictionary> = { "zh-CN": zhCN, en };

let current: Language = "zh-CN";
const listeners = new Set<(lang: Language) => void>();

export function language(): Language {
  return current;
}

export function isLanguage(value: unknown): value is Language {
  return value === "zh-CN" || value === "en";
}

/** Switches the UI language, updates `<html lang>` and tells subscribers to re-render. */
export function setLanguage(lang: Language): void {
  const changed = lang !== current;
  current = lang;
  document.documentElement.lang = lang;
  if (changed) listeners.forEach((listener) => listener(lang));
}

export function onLanguageChange(listener: (lang: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = DICTIONARIES[current][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** "4 分 05 秒" / "4 min 05 s", for lock-out and rate-limit countdowns. */
export function formatDuration(totalSeconds: number): string {
  const secs = Math.max(0, Math.ceil(totalSeconds));
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  if (m === 0) return t("time.seconds", { s });
  return t("time.minutesSeconds", { m, s: String(s).padStart(2, "0") });
}

/** A date and time in the UI language, e.g. for "cached at". */
export function formatDateTime(unixSeconds: number): string {
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(unixSeconds * 1000),
  );
}
