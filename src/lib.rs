//! semreg: a registry of reusable building blocks for digital public services — concepts,
//! code lists, types and information models — stored as RDF with search indexes.
//!
//! The relational store of record ([`store`]) is the only source of truth: every write
//! ([`registry`]) commits resources, immutable versions and change-log rows in one transaction.
//! The oxigraph store and the tantivy index ([`projections`]) follow the change log and can be
//! rebuilt from it. The HTTP API ([`http`]) and the CLI (`main.rs`) call the same domain
//! functions. Importers live in the `semreg-importers` crate: pure functions of bytes.

pub mod app;
pub mod auth;
pub mod background;
pub mod backup;
pub mod cli;
pub mod code_lists;
pub mod concepts;
pub mod config;
pub mod decode;
pub mod demo;
pub mod federation;
pub mod fetch;
pub mod fhir;
pub mod forms;
pub mod http;
pub mod ids;
pub mod mappings;
pub mod metrics;
pub mod problem;
pub mod projections;
pub mod quality;
pub mod rdf;
pub mod registry;
pub mod request;
pub mod service_models;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod types;
pub mod web;
pub mod webhooks;

/// Our own small ontology (Turtle), embedded in the binary.
pub const SEMREG_ONTOLOGY: &str = include_str!("../ontologies/semreg.ttl");
