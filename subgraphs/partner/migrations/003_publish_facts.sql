-- The partners publish custody links from bookings (subgraphs/partner/facts.sql, applied
-- before this file); statement-level triggers commit each link with its booking.
CREATE FUNCTION partner.publish_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM partner_facts.custody_links f USING old_rows o WHERE f.booking_id = o.id;
  ELSE
    -- A booking about an identity alone (person_id NULL) links nobody: it is not published.
    DELETE FROM partner_facts.custody_links f USING new_rows n WHERE f.booking_id = n.id AND n.person_id IS NULL;
    INSERT INTO partner_facts.custody_links (booking_id, person_id, owner_org)
    SELECT n.id, n.person_id, n.owner_org FROM new_rows n WHERE n.person_id IS NOT NULL
    ON CONFLICT (booking_id) DO UPDATE SET person_id = EXCLUDED.person_id, owner_org = EXCLUDED.owner_org;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_publish_insert AFTER INSERT ON partner.bookings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION partner.publish_bookings();
CREATE TRIGGER bookings_publish_update AFTER UPDATE ON partner.bookings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION partner.publish_bookings();
CREATE TRIGGER bookings_publish_delete AFTER DELETE ON partner.bookings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION partner.publish_bookings();

INSERT INTO partner_facts.custody_links (booking_id, person_id, owner_org)
  SELECT id, person_id, owner_org FROM partner.bookings WHERE person_id IS NOT NULL ON CONFLICT (booking_id) DO NOTHING;
