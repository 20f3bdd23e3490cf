//! Money use cases: payments, the settlement choice, the final bill (preview and frozen),
//! refunds, statements and add-on services.

mod payments;
pub mod providers;
mod refunds;
mod services;
mod settlement;

use jiff::Timestamp;
use simexit_domain::Money;
use simexit_store::{LineRow, Tx};

use crate::ledger::{self};
use crate::{Result, ServiceError};

pub use payments::*;
pub use refunds::*;
pub use services::*;
pub use settlement::*;

use refund_state as rs;

/// An amount that enters the books from outside (an opening balance, a payment, an
/// adjustment, a service's charge): positive unless `zero_ok`, and within
/// [`Money::MAX_MOVEMENT`] either way.
pub(crate) fn outside_amount(amount: Money, field: &str, zero_ok: bool) -> Result<Money> {
    let sign_ok = amount.is_positive() || (zero_ok && amount == Money::ZERO);
    if !sign_ok || !amount.within_movement_limit() {
        let least = if zero_ok { "0" } else { "1" };
        return Err(ServiceError::unprocessable(
            "invalid_amount",
            format!("{field}: {least} to {} kopecks ({})", Money::MAX_MOVEMENT.kopecks(), Money::MAX_MOVEMENT),
        ));
    }
    Ok(amount)
}

pub(crate) fn debt_error(debt: Money) -> ServiceError {
    ServiceError::Unprocessable {
        code: "debt_outstanding",
        message: format!("outstanding debt of {debt} must be paid first"),
        amount: Some(debt),
    }
}

/// The debt of a line including charges accrued but not yet billed.
pub fn debt_of(tx: &mut dyn Tx, line: &LineRow, now: Timestamp) -> Result<Money> {
    let services = tx.services_of(line.id)?;
    Ok((line.balance - ledger::accrued(&services, now)).debt())
}
