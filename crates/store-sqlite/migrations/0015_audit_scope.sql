-- The operator an audit entry is about (none for what spans operators: sign-ins, lookup
-- clients, bulk runs of a deployment-wide admin…), so that auditors scoped to an operator
-- read its entries. It is covered by the entry's hash like every other field.
ALTER TABLE audit_log ADD COLUMN operator_id TEXT;
CREATE INDEX audit_log_operator ON audit_log (operator_id, id);
