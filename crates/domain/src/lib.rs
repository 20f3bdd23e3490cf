//! The vocabulary and rules of simexit, free of I/O: phone numbers, ICCIDs, money,
//! operators and their termination policies, production calendars and deadlines, and the
//! state machines of termination requests, lines and numbers.
//!
//! Everything here is deterministic: functions take `now` as a parameter and never read a
//! clock, a file or a socket. That is what makes deadlines and aging testable.

pub mod access;
pub mod calendar;
pub mod category;
pub mod certificate;
pub mod csvfile;
pub mod document;
pub mod eligibility;
pub mod history;
pub mod iccid;
pub mod inn;
pub mod ledger;
pub mod line;
pub mod money;
pub mod msisdn;
pub mod notify;
pub mod number;
pub mod numbering;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod operator;
pub mod policy;
pub mod reassignment;
pub mod sealing;
pub mod store_hours;
pub mod termination;

pub use access::Role;
pub use calendar::{CalendarError, CalendarSet, Deadline, ProductionCalendar};
pub use category::{CustomerCategory, Language};
pub use iccid::Iccid;
pub use line::LineState;
pub use money::Money;
pub use msisdn::Msisdn;
pub use number::NumberState;
pub use operator::OperatorId;
pub use policy::{Channel, DocumentKind, PolicyError, PolicySet, RefundRoute, SettlementOption, TerminationPolicy};
pub use termination::{Action, IllegalTransition, Reason, RequestState};

/// Implements `as_str`, `Display`, `FromStr` and serde for a fieldless enum whose wire
/// names are listed once. Unknown names are an error that lists the accepted ones.
#[macro_export]
macro_rules! wire_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used on the wire and in storage.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::UnknownName {
                        what: stringify!($name),
                        got: s.to_owned(),
                        expected: &[$($wire),+],
                    }),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                $crate::openapi::string_enum(&[$($wire),+])
            }
        }

        #[cfg(feature = "openapi")]
        impl ::utoipa::ToSchema for $name {}
    };
}

/// A name that is not one of an enumeration's accepted names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}`, expected one of: {}", expected.join(", "))]
pub struct UnknownName {
    pub what: &'static str,
    pub got: String,
    pub expected: &'static [&'static str],
}
