-- What the pages ask for: a store's requests for its clerks, and the numbers in aging by
-- release date for the dashboard (a partial index: only the frozen numbers, not the inventory).
CREATE INDEX termination_requests_store ON termination_requests(store_id, id) WHERE store_id IS NOT NULL;
CREATE INDEX numbers_aging ON numbers(aging_until) WHERE state = 'aging';
