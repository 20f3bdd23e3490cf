//! The number inventory as staff see it: state, freeze and holder history.

use simexit_domain::Msisdn;
use simexit_domain::access::Role;
use simexit_store::{AssignmentRow, NumberRow, StoreExt};

use crate::{Principal, Result, Service, ServiceError};

#[derive(Debug, Clone)]
pub struct NumberInfo {
    pub number: NumberRow,
    pub history: Vec<AssignmentRow>,
}

impl Service {
    pub fn number_info(&self, who: &Principal, msisdn: &Msisdn) -> Result<NumberInfo> {
        who.require(&[Role::Clerk, Role::Reviewer, Role::Admin, Role::Auditor], "look up numbers")?;
        self.store.read(|tx| {
            let number = tx
                .number(msisdn)?
                .filter(|n| who.staff_of(&n.operator))
                .ok_or_else(|| ServiceError::not_found("number", msisdn))?;
            let history = tx.assignments(msisdn)?;
            Ok(NumberInfo { number, history })
        })
    }
}
