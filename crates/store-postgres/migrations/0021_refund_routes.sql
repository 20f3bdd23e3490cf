-- Refunds a tourist can use: besides a bank account, SBP to a phone number at a chosen bank,
-- back to the card that paid, or cash at a store against the subscriber's signature; and the
-- list of SBP banks (NSPK member ids), importable.
ALTER TABLE refunds ADD COLUMN route TEXT NOT NULL DEFAULT 'bank_account';
ALTER TABLE refunds ADD COLUMN sbp_phone TEXT;
ALTER TABLE refunds ADD COLUMN sbp_bank TEXT;
ALTER TABLE refunds ADD COLUMN card_payment_id BIGINT;
ALTER TABLE refunds ADD COLUMN cash_store_id TEXT;
ALTER TABLE refunds ADD COLUMN payout_ref TEXT;

CREATE TABLE sbp_banks (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
