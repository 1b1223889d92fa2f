//! The announcement format: TOML structs that mirror the files (`raw`), where files come
//! from (`source`: a directory, the embedded copy, a string), and validation that turns them
//! into the engine's model with every error named by file, line and column (`load`), and
//! the validated model's compiled form (`compiled`).
//!
//! May use: the engine's model, rules and time; serde and toml. Knows no HTTP.

pub mod compiled;
pub(crate) mod error;
pub(crate) mod load;
pub(crate) mod providers;
pub(crate) mod raw;
pub(crate) mod source;
#[doc(hidden)]
pub mod synth;
