//! The number inventory as staff see it: state, freeze and holder history.

use simexit_domain::Msisdn;
use simexit_domain::access::Role;
use simexit_store::{AssignmentRow, NumberRow, StoreExt};

use crate::terminations::Forced;
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

impl Service {
    /// A number leaves by number portability: the line ends without aging, and the number is
    /// `ported_out` (not a disconnection for the lookups).
    pub fn port_out(&self, who: &Principal, msisdn: &Msisdn) -> Result<NumberInfo> {
        who.require(&[Role::Clerk, Role::Admin], "record port-outs")?;
        let now = self.now();
        self.store.write(|tx| {
            let number = tx
                .number(msisdn)?
                .filter(|n| who.staff_of(&n.operator))
                .ok_or_else(|| ServiceError::not_found("number", msisdn))?;
            if number.line_id.is_none() {
                return Err(ServiceError::conflict("number_state", "the number is not on a line"));
            }
            // The line ends as a termination with reason `port_out`: services stopped and
            // prorated, the balance settled, a final bill, a certificate, the network steps
            // and the messages; the request is closed at once.
            match self.force_terminate(tx, who, msisdn, simexit_domain::Reason::PortOut, now)? {
                Forced::Terminated { request_id } => {
                    crate::record::audit(
                        tx,
                        now,
                        &who.actor(),
                        "port_out",
                        "number",
                        msisdn,
                        serde_json::json!({ "line_id": number.line_id, "request_id": request_id }),
                    )?;
                }
                Forced::UnknownNumber => return Err(ServiceError::not_found("number", msisdn)),
                Forced::AlreadyTerminated => {
                    return Err(ServiceError::conflict("number_state", "the line is already terminated"));
                }
                Forced::OpenRequest { request_id } => {
                    return Err(ServiceError::conflict(
                        "request_already_open",
                        format!("termination request {request_id} is open for this line: finish or withdraw it first"),
                    ));
                }
                Forced::Debt { amount } => return Err(crate::money::debt_error(amount)),
            }
            let number = crate::record::inventory_number(tx, msisdn)?;
            let history = tx.assignments(msisdn)?;
            Ok(NumberInfo { number, history })
        })
    }

    /// A number arrives by number portability: it joins the operator's inventory, available
    /// for the new subscriber's line, its history starting now.
    pub fn port_in(
        &self,
        who: &Principal,
        msisdn: &Msisdn,
        operator: &simexit_domain::OperatorId,
    ) -> Result<NumberInfo> {
        who.require(&[Role::Clerk, Role::Admin], "record port-ins")?;
        self.policy(operator)?;
        if !who.staff_of(operator) {
            return Err(ServiceError::forbidden(format!("you do not work for {operator}")));
        }
        let now = self.now();
        self.store.write(|tx| {
            if let Some(existing) = tx.number(msisdn)? {
                return Err(ServiceError::conflict(
                    "number_exists",
                    format!("{msisdn} is already in the inventory ({})", existing.state),
                ));
            }
            crate::lines::add_to_pool(tx, msisdn.clone(), operator, now)?;
            crate::record::audit(
                tx,
                now,
                &who.actor(),
                "port_in",
                "number",
                msisdn,
                serde_json::json!({ "operator": operator }),
            )?;
            let number = crate::record::inventory_number(tx, msisdn)?;
            Ok(NumberInfo { number, history: Vec::new() })
        })
    }
}
