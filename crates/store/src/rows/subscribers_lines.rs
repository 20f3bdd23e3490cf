//! Rows of subscribers and their lines.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscriber {
    pub category: CustomerCategory,
    pub full_name: String,
    pub id_document_type: String,
    pub id_document_number: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberRow {
    pub id: i64,
    pub category: CustomerCategory,
    pub full_name: String,
    pub id_document_type: String,
    pub id_document_number: String,
    pub email: String,
    pub phone: String,
    pub language: Language,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub msisdn: Msisdn,
    pub iccid: Option<String>,
    pub operator: OperatorId,
    pub subscriber_id: i64,
    pub opened_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    // `balance` is derived: the sum of the line account's ledger entries.
    pub id: i64,
    pub msisdn: Msisdn,
    pub iccid: Option<String>,
    pub operator: OperatorId,
    pub subscriber_id: i64,
    pub state: LineState,
    pub balance: Money,
    pub opened_at: Timestamp,
    pub terminated_at: Option<Timestamp>,
}
