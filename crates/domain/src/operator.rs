//! `OperatorId`: the short id of a brand (`mts`, `beeline`, `megafon`, `t2`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperatorId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an operator id: use 1 to 32 lowercase latin letters, digits, `-` or `_`")]
pub struct OperatorIdError(pub String);

impl OperatorId {
    pub fn parse(input: &str) -> Result<Self, OperatorIdError> {
        let ok = !input.is_empty()
            && input.len() <= 32
            && input.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok { Ok(OperatorId(input.to_owned())) } else { Err(OperatorIdError(input.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OperatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for OperatorId {
    type Err = OperatorIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperatorId::parse(s)
    }
}

impl serde::Serialize for OperatorId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for OperatorId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        OperatorId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_lowercase_slugs() {
        assert!(OperatorId::parse("mts").is_ok());
        assert!(OperatorId::parse("t2").is_ok());
        assert!(OperatorId::parse("MTS").is_err());
        assert!(OperatorId::parse("").is_err());
        assert!(OperatorId::parse("a b").is_err());
    }
}
