//! Whether a subscriber can cancel, how, with which documents, and what blocks it.

use serde::Serialize;

use crate::category::CustomerCategory;
use crate::line::LineState;
use crate::money::Money;
use crate::operator::OperatorId;
use crate::policy::{Channel, DocumentKind, SettlementOption, TerminationPolicy};

/// Something that stops a termination from completing until it is dealt with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Blocker {
    /// Stable code: `debt`, `line_not_active`, `open_request`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i64>,
    /// For `documents_missing`: the kinds to upload.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentKind>,
}

/// What simexit knows of a particular line when assessing it.
#[derive(Debug, Clone)]
pub struct LineFacts {
    pub state: LineState,
    pub balance: Money,
    pub open_request: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Eligibility {
    pub operator: OperatorId,
    pub customer_category: CustomerCategory,
    pub channels: Vec<Channel>,
    pub online_allowed: bool,
    pub store_visit_required: bool,
    pub documents_required: Vec<DocumentKind>,
    pub blocking: Vec<Blocker>,
    pub review_sla_business_days: u32,
    pub aging_days: u32,
    pub revocation_allowed: bool,
    pub settlement_options: Vec<SettlementOption>,
    pub hotline: String,
    pub website: String,
}

pub fn debt_blocker(balance: Money) -> Option<Blocker> {
    balance.is_negative().then(|| Blocker {
        code: "debt",
        message: format!("outstanding debt of {} must be paid first", balance.debt()),
        amount: Some(balance.debt()),
        request_id: None,
        documents: Vec::new(),
    })
}

/// The documents the policy asks for that are not uploaded yet.
pub fn documents_blocker(missing: Vec<DocumentKind>) -> Option<Blocker> {
    (!missing.is_empty()).then(|| Blocker {
        code: "documents_missing",
        message: format!("upload first: {}", missing.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")),
        amount: None,
        request_id: None,
        documents: missing,
    })
}

pub fn assess(policy: &TerminationPolicy, category: CustomerCategory, line: Option<&LineFacts>) -> Eligibility {
    let mut blocking = Vec::new();
    if let Some(line) = line {
        if let Some(debt) = debt_blocker(line.balance) {
            blocking.push(debt);
        }
        if !matches!(line.state, LineState::Active | LineState::Suspended) && line.open_request.is_none() {
            blocking.push(Blocker {
                code: "line_not_active",
                message: format!("the line is {}", line.state),
                amount: None,
                request_id: None,
                documents: Vec::new(),
            });
        }
        if let Some(id) = line.open_request {
            blocking.push(Blocker {
                code: "open_request",
                message: format!("request {id} for this line is already in progress"),
                amount: None,
                request_id: Some(id),
                documents: Vec::new(),
            });
        }
    }
    let online_allowed = policy.allows(Channel::Online);
    Eligibility {
        operator: policy.operator.clone(),
        customer_category: category,
        channels: policy.channels.clone(),
        online_allowed,
        store_visit_required: !online_allowed,
        documents_required: policy.documents_for(category),
        blocking,
        review_sla_business_days: policy.review_sla_business_days,
        aging_days: policy.aging_days,
        revocation_allowed: policy.revocation_allowed,
        settlement_options: policy.settlement_options.clone(),
        hotline: policy.hotline.clone(),
        website: policy.website.clone(),
    }
}
