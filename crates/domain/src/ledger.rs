//! Double-entry bookkeeping in kopecks.
//!
//! Every movement of money (a charge, a payment, a transfer, a refund, a write-off, or the
//! reversal of any of these) is a set of entries on accounts whose amounts sum to zero. A
//! balance is the sum of an account's entries; nothing is ever edited: a mistake is undone
//! by a reversing movement. On a line's account a positive balance is the subscriber's money,
//! a negative one their debt.

use std::fmt;
use std::str::FromStr;

use crate::money::Money;
use crate::operator::OperatorId;

crate::wire_enum! {
    pub enum MovementKind {
        /// A balance carried over from before simexit (demo data, migrations).
        Opening = "opening",
        Charge = "charge",
        Payment = "payment",
        Transfer = "transfer",
        /// Money set aside from a line for a refund to a bank account.
        Refund = "refund",
        /// A refund paid out to the bank.
        RefundPaid = "refund_paid",
        /// A refund that the bank returned: the money goes back to the line.
        RefundFailed = "refund_failed",
        WriteOff = "write_off",
        Reversal = "reversal",
    }
}

crate::wire_enum! {
    /// Where a payment is: started with a provider and waiting for its verified notification,
    /// credited to the line, or given up (the provider says it was cancelled or it expired).
    pub enum PaymentStatus {
        Pending = "pending",
        Succeeded = "succeeded",
        Canceled = "canceled",
    }
}

crate::wire_enum! {
    /// The operator's own accounts.
    pub enum OperatorAccount {
        Revenue = "revenue",
        /// Money received from subscribers, not yet applied elsewhere.
        Cash = "cash",
        /// Refunds owed to former subscribers.
        RefundsPayable = "refunds_payable",
        /// Refunds paid out.
        RefundsPaid = "refunds_paid",
        WriteOffs = "write_offs",
        OpeningBalances = "opening_balances",
    }
}

/// An account in the books.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    Line(i64),
    Operator(OperatorId, OperatorAccount),
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::Line(id) => write!(f, "line:{id}"),
            Account::Operator(op, acc) => write!(f, "operator:{op}:{acc}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("`{0}` is not a ledger account")]
    BadAccount(String),
    #[error("a movement's entries must sum to zero, these sum to {0}")]
    Unbalanced(Money),
    #[error("a movement needs at least two entries")]
    TooFewEntries,
    #[error("an amount must be positive, got {0}")]
    NotPositive(Money),
}

impl FromStr for Account {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || LedgerError::BadAccount(s.to_owned());
        let mut parts = s.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("line"), Some(id), None, None) => id.parse().map(Account::Line).map_err(|_| bad()),
            (Some("operator"), Some(op), Some(acc), None) => {
                Ok(Account::Operator(OperatorId::parse(op).map_err(|_| bad())?, acc.parse().map_err(|_| bad())?))
            }
            _ => Err(bad()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub account: Account,
    pub amount: Money,
}

/// A balanced set of entries, not yet recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub kind: MovementKind,
    pub entries: Vec<Entry>,
    pub memo: String,
}

impl Movement {
    pub fn new(kind: MovementKind, entries: Vec<Entry>, memo: impl Into<String>) -> Result<Self, LedgerError> {
        if entries.len() < 2 {
            return Err(LedgerError::TooFewEntries);
        }
        let sum = entries.iter().try_fold(0i64, |acc, e| acc.checked_add(e.amount.kopecks()));
        match sum {
            Some(0) => Ok(Movement { kind, entries, memo: memo.into() }),
            Some(other) => Err(LedgerError::Unbalanced(Money::from_kopecks(other))),
            None => Err(LedgerError::Unbalanced(Money::from_kopecks(i64::MAX))),
        }
    }

    /// `amount` moves from `from` to `to`.
    pub fn between(
        kind: MovementKind,
        from: Account,
        to: Account,
        amount: Money,
        memo: impl Into<String>,
    ) -> Result<Self, LedgerError> {
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive(amount));
        }
        Movement::new(kind, vec![Entry { account: from, amount: -amount }, Entry { account: to, amount }], memo)
    }

    /// The movement that undoes this one.
    pub fn reversal(&self, memo: impl Into<String>) -> Movement {
        Movement {
            kind: MovementKind::Reversal,
            entries: self.entries.iter().map(|e| Entry { account: e.account.clone(), amount: -e.amount }).collect(),
            memo: memo.into(),
        }
    }

    /// This movement's net effect on one account.
    pub fn effect_on(&self, account: &Account) -> Money {
        self.entries.iter().filter(|e| &e.account == account).fold(Money::ZERO, |acc, e| acc + e.amount)
    }
}

/// A subscriber's account number at a Russian bank, validated against the bank's BIK with
/// the Central Bank's control-key algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub bik: String,
    pub account: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountError {
    #[error("the BIK has 9 digits")]
    BikFormat,
    #[error("the account number has 20 digits")]
    AccountFormat,
    #[error("the account number's control key does not match the BIK")]
    ControlKey,
    /// Digits 6-8 are the account's currency: refunds are paid in roubles (810, or 643).
    #[error("the account is not in roubles (digits 6-8 are {0}, not 810 or 643)")]
    Currency(String),
}

impl BankAccountError {
    /// The input field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            BankAccountError::BikFormat => "bik",
            BankAccountError::AccountFormat | BankAccountError::ControlKey | BankAccountError::Currency(_) => "account",
        }
    }
}

impl BankAccount {
    pub fn parse(bik: &str, account: &str) -> Result<Self, BankAccountError> {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let (bik, account) = (bik.trim(), account.trim());
        if !digits(bik, 9) {
            return Err(BankAccountError::BikFormat);
        }
        if !digits(account, 20) {
            return Err(BankAccountError::AccountFormat);
        }
        if !matches!(&account[5..8], "810" | "643") {
            return Err(BankAccountError::Currency(account[5..8].to_owned()));
        }
        // Bank of Russia rules (No. 579-P): the key is checked over the last three digits of
        // the BIK followed by the 20-digit account, weights 7-1-3 repeating, sum ≡ 0 (mod 10).
        // For accounts held at a cash settlement centre the BIK part is "0" + digits 5-6.
        let prefix = if &bik[6..] == "000" || &bik[6..] == "001" || &bik[6..] == "002" {
            format!("0{}", &bik[4..6])
        } else {
            bik[6..].to_owned()
        };
        let weights = [7u32, 1, 3];
        let sum: u32 = prefix
            .bytes()
            .chain(account.bytes())
            .enumerate()
            .map(|(i, b)| (u32::from(b - b'0') * weights[i % 3]) % 10)
            .sum();
        if !sum.is_multiple_of(10) {
            return Err(BankAccountError::ControlKey);
        }
        Ok(BankAccount { bik: bik.to_owned(), account: account.to_owned() })
    }

    /// `40817 810 … 1234`: enough to recognise, not enough to reuse.
    pub fn masked(&self) -> String {
        format!("{}…{}", &self.account[..5], &self.account[16..])
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use proptest::prelude::*;

    use super::*;

    fn mts() -> OperatorId {
        OperatorId::parse("mts").unwrap()
    }

    #[test]
    fn accounts_round_trip_through_text() {
        for a in [Account::Line(42), Account::Operator(mts(), OperatorAccount::RefundsPayable)] {
            assert_eq!(a.to_string().parse::<Account>().unwrap(), a);
        }
        assert!("line:x".parse::<Account>().is_err());
        assert!("operator:mts:nowhere".parse::<Account>().is_err());
    }

    #[test]
    fn an_unbalanced_movement_is_refused() {
        let e = |account, k| Entry { account, amount: Money::from_kopecks(k) };
        let err = Movement::new(MovementKind::Charge, vec![e(Account::Line(1), -100), e(Account::Line(2), 99)], "x");
        assert_eq!(err, Err(LedgerError::Unbalanced(Money::from_kopecks(-1))));
        assert!(
            Movement::between(MovementKind::Transfer, Account::Line(1), Account::Line(2), Money::ZERO, "x").is_err()
        );
    }

    #[test]
    fn known_good_accounts_pass_the_control_key_and_a_changed_digit_fails() {
        // Sberbank Moscow (BIK 044525225) with a valid 40817 account.
        let ok = BankAccount::parse("044525225", "40817810938160925982").unwrap();
        assert_eq!(ok.masked(), "40817…5982");
        assert_eq!(BankAccount::parse("044525225", "40817810938160925983"), Err(BankAccountError::ControlKey));
        assert_eq!(BankAccount::parse("04452522", "40817810938160925982"), Err(BankAccountError::BikFormat));
        assert_eq!(BankAccount::parse("044525225", "4081781093816092598"), Err(BankAccountError::AccountFormat));
        assert_eq!(BankAccountError::ControlKey.field(), "account");
        // The same account in dollars (840) is refused before its key is even looked at.
        assert_eq!(
            BankAccount::parse("044525225", "40817840938160925982"),
            Err(BankAccountError::Currency("840".into()))
        );
        assert_eq!(BankAccountError::Currency("840".into()).field(), "account");
    }

    /// An in-memory book with the recording rules the store applies: an idempotency key
    /// records a movement once, and a movement is reversed at most once.
    #[derive(Default)]
    struct Books {
        movements: Vec<Movement>,
        keys: HashSet<String>,
        reversed: HashSet<usize>,
    }

    impl Books {
        fn record(&mut self, key: String, m: Movement) {
            if self.keys.insert(key) {
                self.movements.push(m);
            }
        }
        fn reverse(&mut self, i: usize) {
            if i < self.movements.len() && self.movements[i].kind != MovementKind::Reversal && self.reversed.insert(i) {
                let r = self.movements[i].reversal("undo");
                self.movements.push(r);
            }
        }
        fn balances(&self) -> BTreeMap<Account, i64> {
            let mut b = BTreeMap::new();
            for m in &self.movements {
                for e in &m.entries {
                    *b.entry(e.account.clone()).or_insert(0) += e.amount.kopecks();
                }
            }
            b
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Move { kind: usize, from: i64, to: i64, amount: i64, key: u8 },
        Charge { line: i64, amount: i64, key: u8 },
        Reverse(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..MovementKind::ALL.len(), 1..5i64, 1..5i64, 1..1_000_000i64, 0..20u8)
                .prop_map(|(kind, from, to, amount, key)| Op::Move { kind, from, to, amount, key }),
            (1..5i64, 1..100_000i64, 0..20u8).prop_map(|(line, amount, key)| Op::Charge { line, amount, key }),
            (0..40usize).prop_map(Op::Reverse),
        ]
    }

    proptest! {
        #[test]
        fn any_sequence_of_movements_and_reversals_keeps_the_books_balanced(ops in proptest::collection::vec(op(), 0..60)) {
            let mut books = Books::default();
            for op in ops {
                match op {
                    Op::Move { kind, from, to, amount, key } => {
                        let m = Movement::between(MovementKind::ALL[kind], Account::Line(from), Account::Line(to), Money::from_kopecks(amount), "m").unwrap();
                        prop_assert_eq!(m.entries.iter().map(|e| e.amount.kopecks()).sum::<i64>(), 0);
                        books.record(format!("m{key}"), m);
                    }
                    Op::Charge { line, amount, key } => {
                        let m = Movement::between(MovementKind::Charge, Account::Line(line), Account::Operator(mts(), OperatorAccount::Revenue), Money::from_kopecks(amount), "c").unwrap();
                        books.record(format!("c{key}"), m);
                    }
                    Op::Reverse(i) => books.reverse(i),
                }
                prop_assert_eq!(books.balances().values().sum::<i64>(), 0);
            }
        }

        #[test]
        fn replaying_a_key_changes_nothing(amount in 1..1_000_000i64, times in 1..5usize) {
            let mut books = Books::default();
            for _ in 0..times {
                let m = Movement::between(MovementKind::Payment, Account::Operator(mts(), OperatorAccount::Cash), Account::Line(1), Money::from_kopecks(amount), "p").unwrap();
                books.record("pay-1".into(), m);
            }
            prop_assert_eq!(books.movements.len(), 1);
            prop_assert_eq!(books.balances()[&Account::Line(1)], amount);
        }

        #[test]
        fn a_reversal_restores_every_balance(amount in 1..1_000_000i64) {
            let mut books = Books::default();
            let m = Movement::between(MovementKind::Transfer, Account::Line(1), Account::Line(2), Money::from_kopecks(amount), "t").unwrap();
            books.record("t".into(), m);
            books.reverse(0);
            books.reverse(0);
            prop_assert!(books.balances().values().all(|v| *v == 0));
            prop_assert_eq!(books.movements.len(), 2);
        }
    }
}
