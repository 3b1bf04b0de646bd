//! Behaviour of the platform server, each test run on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

mod alipay;
mod cli;
mod demo;
mod face;
mod face_clips;
mod http;
mod input;
mod logs;
mod manual_review;
mod me;
mod phone;
mod real_name;
mod sessions;
mod sign_in;
mod sqlite_file;
mod tcp;
