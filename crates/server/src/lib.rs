//! The simexit HTTP server: the JSON API with its OpenAPI document, bearer-token auth, and
//! the durable job worker, assembled into an [`App`] from a [`Config`] the same way by the
//! binary and by the tests.

pub mod app;
pub mod config;
pub mod dto;
pub mod edge;
pub mod error;
pub mod extract;
pub mod metrics;
mod middleware;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod state;
pub mod worker;

pub use app::App;
pub use config::Config;
