//! The JSON shapes of the API (snake_case, amounts in kopecks, instants in UTC RFC 3339).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use simexit_domain::access::Role;
use simexit_domain::eligibility::Blocker;
use simexit_domain::number::NumberState;
use simexit_domain::{Channel, CustomerCategory, LineState, Money, Msisdn, OperatorId, Reason, RequestState};
use simexit_service::{NumberInfo, RequestDetails};
use simexit_store::{EventRow, LineRow, RequestRow};
use utoipa::ToSchema;

mod auth;
mod dev;
mod lines;
mod money;
mod numbers;
mod operators;
mod refunds;
mod requests;

pub use auth::*;
pub use dev::*;
pub use lines::*;
pub use money::*;
pub use numbers::*;
pub use operators::*;
pub use refunds::*;
pub use requests::*;
