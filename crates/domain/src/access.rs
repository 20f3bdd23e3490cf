//! Who is acting: roles of accounts.

crate::wire_enum! {
    pub enum Role {
        Subscriber = "subscriber",
        Clerk = "clerk",
        Reviewer = "reviewer",
        Admin = "admin",
        Auditor = "auditor",
    }
}

impl Role {
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Subscriber)
    }
}
