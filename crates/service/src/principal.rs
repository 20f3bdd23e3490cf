//! Who is acting, and the scoping rules every use case applies.

use simexit_domain::access::Role;
use simexit_domain::{Channel, OperatorId};
use simexit_store::{AccountRow, RequestRow};

use crate::{Result, ServiceError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: i64,
    pub login: String,
    pub role: Role,
    /// Staff are limited to one operator; `None` means every operator of the deployment.
    pub operator: Option<OperatorId>,
    /// Clerks are limited to their store.
    pub store_id: Option<String>,
    pub subscriber_id: Option<i64>,
    /// What an API client may do (`number-recycling:check`); empty for people.
    pub scopes: Vec<String>,
    /// Where the request came from (the client's address), for the audit log.
    pub origin: Option<String>,
}

impl From<AccountRow> for Principal {
    fn from(a: AccountRow) -> Self {
        Principal {
            account_id: a.id,
            login: a.login,
            role: a.role,
            operator: a.operator,
            store_id: a.store_id,
            subscriber_id: a.subscriber_id,
            scopes: a.scopes.split_whitespace().map(str::to_owned).collect(),
            origin: None,
        }
    }
}

impl Principal {
    /// How this principal appears in events and the audit log.
    /// `account:<id>`, with `@<address>` when the request's origin is known.
    pub fn actor(&self) -> String {
        match &self.origin {
            Some(from) => format!("account:{}@{from}", self.account_id),
            None => format!("account:{}", self.account_id),
        }
    }

    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// Staff whose scope includes `operator`.
    pub fn staff_of(&self, operator: &OperatorId) -> bool {
        self.role.is_staff() && self.operator.as_ref().is_none_or(|o| o == operator)
    }

    /// Can see records of this subscriber at this operator: the subscriber themself, or
    /// staff of the operator.
    pub fn can_see(&self, subscriber_id: i64, operator: &OperatorId) -> bool {
        self.subscriber_id == Some(subscriber_id) || self.staff_of(operator)
    }

    /// Can see (and so act on, as far as the role allows) a termination request: its
    /// subscriber; reviewers, admins and auditors of its operator; a clerk only for in-store
    /// requests of their own store and for requests they started. Anything else is not
    /// admitted to exist.
    pub fn sees_request(&self, r: &RequestRow) -> bool {
        if self.subscriber_id == Some(r.subscriber_id) {
            return true;
        }
        if !self.staff_of(&r.operator) {
            return false;
        }
        match self.role {
            Role::Clerk => {
                r.created_by == self.account_id
                    || (r.channel == Channel::Store && self.store_id.is_some() && r.store_id == self.store_id)
            }
            _ => true,
        }
    }

    /// An API client holding `scope`.
    pub fn require_scope(&self, scope: &str) -> Result<()> {
        if self.role == Role::ApiClient && self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden {
                code: "insufficient_scope",
                message: format!("this needs the `{scope}` scope"),
            })
        }
    }

    pub fn require(&self, roles: &[Role], what: &str) -> Result<()> {
        if self.is(roles) { Ok(()) } else { Err(ServiceError::forbidden(format!("a {} cannot {what}", self.role))) }
    }
}
