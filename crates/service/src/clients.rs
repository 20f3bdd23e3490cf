//! API clients of relying parties (banks, marketplaces): a client id and a secret (stored as
//! an Argon2 hash), exchanged for short-lived bearer tokens with the OAuth2 client-credentials
//! grant. Clients reach only the routes their scopes open.

use simexit_domain::access::Role;
use simexit_store::{NewAccount, SessionRow, StoreExt};

use crate::auth::{Session, hash_password, new_token, verify_password};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// Scopes a client can be given.
pub const SCOPES: &[&str] = &["number-recycling:check", crate::imports::WAIT_SCOPE, crate::sync::SYNC_SCOPE];

/// A new client's credentials; the secret is shown once.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub scopes: Vec<String>,
}

fn invalid_client() -> ServiceError {
    ServiceError::Unauthenticated { code: "invalid_client", message: "unknown client or wrong secret".into() }
}

impl Service {
    pub fn create_api_client(
        &self,
        who: Option<&Principal>,
        name: &str,
        scopes: &[String],
    ) -> Result<ClientCredentials> {
        if let Some(w) = who {
            w.require(&[Role::Admin], "create API clients")?;
            // A lookup client asks about every operator's numbers: only an admin of the whole
            // deployment may create one. Other clients (a BSS, a queue system) are their
            // creator's operator's.
            if w.operator.is_some() && scopes.iter().any(|s| s == "number-recycling:check") {
                return Err(ServiceError::Forbidden {
                    code: "deployment_admin_only",
                    message: "lookup clients span operators: a deployment-wide admin creates them".into(),
                });
            }
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::unprocessable("invalid_name", "name: 1 to 100 characters"));
        }
        if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
            return Err(ServiceError::unprocessable(
                "invalid_scope",
                format!("scopes: one or more of {}", SCOPES.join(", ")),
            ));
        }
        let (id_token, _) = new_token()?;
        let client_id = format!("rp_{}", &id_token[3..19]);
        let (secret, _) = new_token()?;
        let secret_hash = hash_password(&secret)?;
        let now = self.now();
        let scopes_text = scopes.join(" ");
        self.store.write(|tx| {
            let id = tx.insert_account(&NewAccount {
                login: client_id.clone(),
                password_hash: secret_hash,
                role: Role::ApiClient,
                operator: who.and_then(|w| w.operator.clone()),
                store_id: None,
                subscriber_id: None,
                scopes: scopes_text.clone(),
                created_at: now,
            })?;
            let actor = who.map_or_else(|| "cli".to_owned(), Principal::actor);
            audit(
                tx,
                now,
                &actor,
                "create_api_client",
                "account",
                id,
                serde_json::json!({ "name": name, "scopes": scopes_text }),
            )
        })?;
        Ok(ClientCredentials { client_id, client_secret: secret, scopes: scopes.to_vec() })
    }

    /// The client-credentials grant: a bearer token for the requested scopes (all of the
    /// client's when none is asked for).
    pub fn client_token(&self, client_id: &str, secret: &str, scope: Option<&str>) -> Result<(Session, Vec<String>)> {
        self.reserve_sign_in(client_id)?;
        let account = self.store.read(|tx| tx.account_by_login(client_id.trim()))?;
        let account = account.filter(|a| a.role == Role::ApiClient && !a.disabled);
        if !verify_password(secret, account.as_ref().map(|a| a.password_hash.as_str()))? {
            return Err(invalid_client());
        }
        let Some(account) = account else { return Err(invalid_client()) };
        self.clear_failed_sign_ins(client_id)?;
        let granted: Vec<String> = account.scopes.split_whitespace().map(str::to_owned).collect();
        let wanted: Vec<String> = match scope {
            Some(s) if !s.trim().is_empty() => s.split_whitespace().map(str::to_owned).collect(),
            _ => granted.clone(),
        };
        if let Some(missing) = wanted.iter().find(|w| !granted.contains(w)) {
            return Err(ServiceError::bad_input("invalid_scope", format!("this client has no `{missing}` scope")));
        }
        let (token, hash) = new_token()?;
        let now = self.now();
        let expires_at =
            now.checked_add(self.config.client_token_ttl).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store.write(|tx| {
            tx.insert_session(&SessionRow {
                token_hash: hash,
                account_id: account.id,
                created_at: now,
                expires_at,
                csrf_hash: None,
            })
        })?;
        let mut principal = Principal::from(account);
        principal.scopes.clone_from(&wanted);
        Ok((Session { token, expires_at, principal }, wanted))
    }
}
