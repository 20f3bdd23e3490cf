-- Every write to what a reassigned-number lookup reads (a number, its holder periods, its
-- imported past events) leaves the number here, whoever writes: this server, the CLI in
-- another process, a script. A server that answers lookups from memory (the lookup index)
-- follows this log to stay exact. AUTOINCREMENT: ids never go back, even after pruning.
CREATE TABLE lookup_changes (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    msisdn TEXT NOT NULL
);

CREATE TRIGGER numbers_lookup_insert AFTER INSERT ON numbers
BEGIN INSERT INTO lookup_changes (msisdn) VALUES (NEW.msisdn); END;
CREATE TRIGGER numbers_lookup_update AFTER UPDATE ON numbers
BEGIN
    INSERT INTO lookup_changes (msisdn) VALUES (NEW.msisdn);
    INSERT INTO lookup_changes (msisdn) SELECT OLD.msisdn WHERE OLD.msisdn <> NEW.msisdn;
END;
CREATE TRIGGER numbers_lookup_delete AFTER DELETE ON numbers
BEGIN INSERT INTO lookup_changes (msisdn) VALUES (OLD.msisdn); END;

CREATE TRIGGER number_assignments_lookup_insert AFTER INSERT ON number_assignments
BEGIN INSERT INTO lookup_changes (msisdn) VALUES (NEW.msisdn); END;
CREATE TRIGGER number_assignments_lookup_update AFTER UPDATE ON number_assignments
BEGIN
    INSERT INTO lookup_changes (msisdn) VALUES (NEW.msisdn);
    INSERT INTO lookup_changes (msisdn) SELECT OLD.msisdn WHERE OLD.msisdn <> NEW.msisdn;
END;
CREATE TRIGGER number_assignments_lookup_delete AFTER DELETE ON number_assignments
BEGIN INSERT INTO lookup_changes (msisdn) VALUES (OLD.msisdn); END;

CREATE TRIGGER past_events_lookup_insert AFTER INSERT ON past_events
BEGIN INSERT INTO lookup_changes (msisdn) VALUES (NEW.msisdn); END;
CREATE TRIGGER past_events_lookup_update AFTER UPDATE ON past_events
BEGIN
    INSERT INTO lookup_changes (msisdn) VALUES (NEW.msisdn);
    INSERT INTO lookup_changes (msisdn) SELECT OLD.msisdn WHERE OLD.msisdn <> NEW.msisdn;
END;
CREATE TRIGGER past_events_lookup_delete AFTER DELETE ON past_events
BEGIN INSERT INTO lookup_changes (msisdn) VALUES (OLD.msisdn); END;
