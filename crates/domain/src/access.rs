//! Who is acting: roles of accounts.

crate::wire_enum! {
    pub enum Role {
        Subscriber = "subscriber",
        Clerk = "clerk",
        Reviewer = "reviewer",
        Admin = "admin",
        Auditor = "auditor",
        /// A relying party's API client (a bank): only the lookup API.
        ApiClient = "api_client",
    }
}

impl Role {
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Clerk | Role::Reviewer | Role::Admin | Role::Auditor)
    }
}
