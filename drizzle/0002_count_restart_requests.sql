-- Counts restart requests: every UPDATE that sets need_restart to true, also when it is already
-- true, bumps restart_requests. Writers only name the column; the reconciler clears need_restart
-- with a compare-and-set on the count it read, so a request that lands during a round is kept.
-- "UPDATE OF need_restart" fires only for statements that assign the column, so edits of other
-- fields leave the count alone.
CREATE FUNCTION "clients_count_restart_requests"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.restart_requests := OLD.restart_requests + 1;
	RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "clients_count_restart_requests" BEFORE UPDATE OF "need_restart" ON "clients"
	FOR EACH ROW WHEN (NEW.need_restart) EXECUTE FUNCTION "clients_count_restart_requests"();
