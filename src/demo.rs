//! A small example catalog written for semreg, loaded by `semreg serve --demo` so a newcomer
//! sees concepts, a code list and an information model at once.

/// The demo publisher (an example organisation number).
pub const DEMO_PUBLISHER: &str = "999999999";

/// The demo catalog, in Turtle.
pub const DEMO_CATALOG: &str = include_str!("demo-catalog.ttl");
