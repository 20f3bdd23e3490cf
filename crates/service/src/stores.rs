//! Stores and recycling points, kept by their operator's admins one at a time (the API and the
//! admin pages) as files bring them in (`simexit stores import`): the same checks either way.

use simexit_domain::access::Role;
use simexit_store::{StoreExt, StoreRow};

use crate::imports::{Problems, StoreFields, store_row};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

fn admin_of(who: &Principal, store: &StoreRow) -> Result<()> {
    who.require(&[Role::Admin], "keep stores")?;
    if who.staff_of(&store.operator) {
        Ok(())
    } else {
        Err(ServiceError::forbidden(format!("you do not work for {}", store.operator)))
    }
}

/// A store's fields checked as an import row is; the problems without a line number.
fn checked(fields: StoreFields) -> Result<StoreRow> {
    let mut problems = Problems::default();
    match store_row(0, fields, &mut problems) {
        Some(row) if problems.count == 0 => Ok(row),
        _ => {
            let text: Vec<String> =
                problems.lines.iter().map(|l| l.trim_start_matches("line 0: ").to_owned()).collect();
            Err(ServiceError::unprocessable("invalid_store", text.join("; ")))
        }
    }
}

impl Service {
    /// One store by id.
    pub fn store_by_id(&self, id: &str) -> Result<StoreRow> {
        let found = self.store.read(|tx| Ok::<_, ServiceError>(tx.stores()?.into_iter().find(|s| s.id == id)))?;
        found.ok_or_else(|| ServiceError::not_found("store", id))
    }

    /// Adds a store of the admin's operator; its id must be new.
    pub fn create_store(&self, who: &Principal, fields: StoreFields) -> Result<StoreRow> {
        let row = checked(fields)?;
        admin_of(who, &row)?;
        if self.policies.get(&row.operator).is_none() {
            return Err(ServiceError::unprocessable(
                "invalid_store",
                format!("operator: `{}` is not served here", row.operator),
            ));
        }
        let now = self.now();
        self.store.write(|tx| {
            if tx.stores()?.iter().any(|s| s.id == row.id) {
                return Err(ServiceError::conflict(
                    "store_exists",
                    format!("a store `{}` exists; edit it instead", row.id),
                ));
            }
            tx.upsert_store(&row)?;
            audit(tx, now, &who.actor(), "store_created", "store", &row.id, serde_json::json!({ "name": row.name }))?;
            Ok(row.clone())
        })
    }

    /// Rewrites a store (its live wait is kept); it stays with its operator.
    pub fn update_store(&self, who: &Principal, id: &str, mut fields: StoreFields) -> Result<StoreRow> {
        fields.id = id.to_owned();
        let mut row = checked(fields)?;
        let now = self.now();
        self.store.write(|tx| {
            let Some(old) = tx.stores()?.into_iter().find(|s| s.id == id) else {
                return Err(ServiceError::not_found("store", id));
            };
            admin_of(who, &old)?;
            if old.operator != row.operator {
                return Err(ServiceError::unprocessable("invalid_store", "operator: a store stays with its operator"));
            }
            row.wait_minutes = old.wait_minutes;
            if row != old {
                tx.upsert_store(&row)?;
                audit(tx, now, &who.actor(), "store_updated", "store", id, serde_json::json!({ "name": row.name }))?;
            }
            Ok(row.clone())
        })
    }

    /// Removes a store that no staff account or request names.
    pub fn delete_store(&self, who: &Principal, id: &str) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| {
            let Some(old) = tx.stores()?.into_iter().find(|s| s.id == id) else {
                return Err(ServiceError::not_found("store", id));
            };
            admin_of(who, &old)?;
            let references = tx.store_references(id)?;
            if references > 0 {
                return Err(ServiceError::conflict(
                    "store_in_use",
                    format!("{references} staff accounts or requests name store `{id}`; it stays"),
                ));
            }
            // The audit entry names the store's operator, so it is written while the store exists.
            audit(tx, now, &who.actor(), "store_deleted", "store", id, serde_json::json!({ "name": old.name }))?;
            tx.delete_store(id)?;
            Ok(())
        })
    }
}

impl Service {
    /// The history of file imports, newest first: for the deployment's own admins and auditors
    /// (a file may hold several operators' rows).
    pub fn imports_history(&self, who: &Principal, limit: u32) -> Result<Vec<simexit_store::ImportRow>> {
        who.require(&[Role::Admin, Role::Auditor], "see the imports")?;
        if who.operator.is_some() {
            return Err(ServiceError::forbidden("imports span operators: the deployment's own admins see them"));
        }
        Ok(self.store.read(|tx| tx.imports(limit.clamp(1, 1_000)))?)
    }
}
