//! Staff accounts: admins create and disable them (API and CLI).

use simexit_domain::OperatorId;
use simexit_domain::access::Role;
use simexit_store::{AccountRow, NewAccount, StoreExt};

use crate::auth::hash_password;
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub login: String,
    pub password: String,
    pub role: Role,
    /// `None`: every operator of the deployment (admins and auditors only).
    pub operator: Option<OperatorId>,
    /// Clerks work at one store.
    pub store_id: Option<String>,
}

/// Who acts: an admin through the API, or the operator's own shell (`simexit staff`).
fn actor(who: Option<&Principal>) -> String {
    who.map_or_else(|| "cli".to_owned(), Principal::actor)
}

impl Service {
    fn require_admin_over(&self, who: Option<&Principal>, operator: Option<&OperatorId>) -> Result<()> {
        let Some(who) = who else { return Ok(()) };
        who.require(&[Role::Admin], "manage staff")?;
        match (&who.operator, operator) {
            (None, _) => Ok(()),
            (Some(mine), Some(theirs)) if mine == theirs => Ok(()),
            _ => Err(ServiceError::forbidden("an operator's admin manages only that operator's staff")),
        }
    }

    pub fn create_staff(&self, who: Option<&Principal>, input: NewStaff) -> Result<AccountRow> {
        let login = input.login.trim().to_lowercase();
        if !(3..=100).contains(&login.len()) || login.chars().any(char::is_whitespace) {
            return Err(ServiceError::unprocessable("invalid_login", "login: 3 to 100 characters without spaces"));
        }
        if !(8..=256).contains(&input.password.chars().count()) {
            return Err(ServiceError::unprocessable("weak_password", "password: 8 to 256 characters"));
        }
        match input.role {
            Role::Subscriber | Role::ApiClient => {
                return Err(ServiceError::unprocessable(
                    "invalid_role",
                    "staff roles are clerk, reviewer, admin and auditor",
                ));
            }
            Role::Clerk if input.store_id.is_none() => {
                return Err(ServiceError::unprocessable("store_required", "store_id: a clerk works at a store"));
            }
            Role::Clerk | Role::Reviewer if input.operator.is_none() => {
                return Err(ServiceError::unprocessable(
                    "operator_required",
                    "operator: clerks and reviewers work for one operator",
                ));
            }
            _ => {}
        }
        if let Some(op) = &input.operator {
            self.policy(op)?;
        }
        self.require_admin_over(who, input.operator.as_ref())?;
        let password_hash = hash_password(&input.password)?;
        let now = self.now();
        self.store.write(|tx| {
            if let Some(store) = &input.store_id {
                let known = tx.stores()?.into_iter().any(|s| &s.id == store && Some(&s.operator) == input.operator.as_ref());
                if !known {
                    return Err(ServiceError::unprocessable("invalid_store", "store_id: a store of the same operator"));
                }
            }
            if tx.account_by_login(&login)?.is_some() {
                return Err(ServiceError::conflict("login_taken", format!("`{login}` is taken")));
            }
            let id = tx.insert_account(&NewAccount {
                login: login.clone(),
                password_hash,
                role: input.role,
                operator: input.operator.clone(),
                store_id: input.store_id.clone(),
                subscriber_id: None,
                scopes: String::new(),
                created_at: now,
            })?;
            audit(
                tx,
                now,
                &actor(who),
                "create_staff",
                "account",
                id,
                serde_json::json!({ "login": login, "role": input.role, "operator": input.operator, "store": input.store_id }),
            )?;
            tx.account(id)?.ok_or_else(|| ServiceError::Internal("the new account vanished".into()))
        })
    }

    /// Disables a staff account and ends its sessions.
    pub fn disable_staff(&self, who: Option<&Principal>, login: &str) -> Result<AccountRow> {
        let now = self.now();
        let login = login.trim().to_lowercase();
        self.store.write(|tx| {
            if let Some(w) = who {
                w.require(&[Role::Admin], "manage staff")?;
            }
            // An admin of one operator is not told that another operator's staff exist.
            let in_scope = |a: &AccountRow| who.is_none_or(|w| w.operator.is_none() || w.operator == a.operator);
            let account = tx
                .account_by_login(&login)?
                .filter(|a| a.role.is_staff() && in_scope(a))
                .ok_or_else(|| ServiceError::not_found("staff account", &login))?;
            self.require_admin_over(who, account.operator.as_ref())?;
            if who.is_some_and(|w| w.account_id == account.id) {
                return Err(ServiceError::unprocessable(
                    "cannot_disable_self",
                    "ask another admin to disable your account",
                ));
            }
            tx.set_account_disabled(account.id, true)?;
            let ended = tx.revoke_sessions_of(account.id, now)?;
            self.tokens.clear();
            audit(
                tx,
                now,
                &actor(who),
                "disable_staff",
                "account",
                account.id,
                serde_json::json!({ "sessions_ended": ended }),
            )?;
            tx.account(account.id)?.ok_or_else(|| ServiceError::Internal("the account vanished".into()))
        })
    }

    pub fn list_staff(&self, who: Option<&Principal>) -> Result<Vec<AccountRow>> {
        if let Some(w) = who {
            w.require(&[Role::Admin, Role::Auditor], "list staff")?;
        }
        let scope = who.and_then(|w| w.operator.clone());
        let all = self.store.read(|tx| tx.staff_accounts(scope.as_ref()))?;
        Ok(all.into_iter().filter(|a| a.role.is_staff()).collect())
    }
}
