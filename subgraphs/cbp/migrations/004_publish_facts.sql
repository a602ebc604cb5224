-- CBP publishes custody links from encounters (subgraphs/cbp/facts.sql, applied before this
-- file); statement-level triggers commit each link with its encounter.
CREATE FUNCTION cbp.publish_encounters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM cbp_facts.custody_links f USING old_rows o WHERE f.encounter_id = o.id;
  ELSE
    -- An encounter with an identity alone (person_id NULL) links nobody: it is not published.
    DELETE FROM cbp_facts.custody_links f USING new_rows n WHERE f.encounter_id = n.id AND n.person_id IS NULL;
    INSERT INTO cbp_facts.custody_links (encounter_id, person_id, owner_org)
    SELECT n.id, n.person_id, n.owner_org FROM new_rows n WHERE n.person_id IS NOT NULL
    ON CONFLICT (encounter_id) DO UPDATE SET person_id = EXCLUDED.person_id, owner_org = EXCLUDED.owner_org;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER encounters_publish_insert AFTER INSERT ON cbp.encounters REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cbp.publish_encounters();
CREATE TRIGGER encounters_publish_update AFTER UPDATE ON cbp.encounters REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cbp.publish_encounters();
CREATE TRIGGER encounters_publish_delete AFTER DELETE ON cbp.encounters REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cbp.publish_encounters();

INSERT INTO cbp_facts.custody_links (encounter_id, person_id, owner_org)
  SELECT id, person_id, owner_org FROM cbp.encounters WHERE person_id IS NOT NULL ON CONFLICT (encounter_id) DO NOTHING;
