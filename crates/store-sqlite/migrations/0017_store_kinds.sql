-- Stores brought in from an operator's files: a kind (a store, or a point that only takes SIM
-- cards back for recycling) and a phone.
ALTER TABLE stores ADD COLUMN kind TEXT NOT NULL DEFAULT 'store';
ALTER TABLE stores ADD COLUMN phone TEXT NOT NULL DEFAULT '';
