//! Why a query could not be answered: the engine's own errors.

/// Why a query could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The function id is not in the catalogue.
    #[error("unknown function `{id}`{}", suggest(.suggestions))]
    UnknownFunction {
        /// The id asked for.
        id: String,
        /// Close matches from the catalogue.
        suggestions: Vec<String>,
    },
    /// The channel id is not in the catalogue.
    #[error("unknown channel `{id}`; expected one of {}", .allowed.join(", "))]
    UnknownChannel {
        /// The id asked for.
        id: String,
        /// The channel ids.
        allowed: Vec<String>,
    },
    /// The function's provider does not have the channel asked about.
    #[error("function `{function}` belongs to provider `{provider}`, which has no channel `{id}`; its channels: {}", .allowed.join(", "))]
    ChannelNotOfProvider {
        /// The channel id asked for.
        id: String,
        /// The function asked about.
        function: String,
        /// Its provider's id.
        provider: String,
        /// The provider's channel ids.
        allowed: Vec<String>,
    },
    /// A value outside what mado accepts: the supported range, the lookahead or list ceilings.
    #[error("{detail}")]
    OutOfRange {
        /// The parameter (`at`, `for`, `from`, `to`, `as_of`, `limit`).
        parameter: String,
        /// What is wrong and what is allowed.
        detail: String,
    },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        "; `mado functions` lists the ids".into()
    } else {
        format!("; did you mean {}?", s.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", "))
    }
}
