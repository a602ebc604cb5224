-- ICE publishes its policy facts (subgraphs/ice/facts.sql, applied before this file) from its
-- own tables. Statement-level triggers with transition tables keep them current in the same
-- transaction as the write (a write and its fact commit together) and cost one statement per
-- write statement, not one per row, when the seed loads a large world.

CREATE FUNCTION ice.publish_persons() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- plpgsql plans a statement at its first run, so the branch naming a transition table the
  -- firing event lacks is never planned.
  IF TG_OP = 'DELETE' THEN
    DELETE FROM ice_facts.persons f USING old_rows o WHERE f.id = o.id;
  ELSE
    INSERT INTO ice_facts.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, protected1367)
    SELECT n.id, n.owner_org, n.owner_agency, n.sensitivity, n.jurisdictions, n.disseminate, n.created_at, n.updated_at, n.protected1367
    FROM new_rows n
    ON CONFLICT (id) DO UPDATE SET owner_org = EXCLUDED.owner_org, owner_agency = EXCLUDED.owner_agency,
      sensitivity = EXCLUDED.sensitivity, jurisdictions = EXCLUDED.jurisdictions, disseminate = EXCLUDED.disseminate,
      created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, protected1367 = EXCLUDED.protected1367;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_publish_insert AFTER INSERT ON ice.persons REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_persons();
CREATE TRIGGER persons_publish_update AFTER UPDATE ON ice.persons REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_persons();
CREATE TRIGGER persons_publish_delete AFTER DELETE ON ice.persons REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_persons();

CREATE FUNCTION ice.publish_networks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM ice_facts.networks f USING old_rows o WHERE f.id = o.id;
  ELSE
    INSERT INTO ice_facts.networks (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, last_validated_at)
    SELECT n.id, n.owner_org, n.owner_agency, n.sensitivity, n.jurisdictions, n.disseminate, n.created_at, n.updated_at, n.last_validated_at
    FROM new_rows n
    ON CONFLICT (id) DO UPDATE SET owner_org = EXCLUDED.owner_org, owner_agency = EXCLUDED.owner_agency,
      sensitivity = EXCLUDED.sensitivity, jurisdictions = EXCLUDED.jurisdictions, disseminate = EXCLUDED.disseminate,
      created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, last_validated_at = EXCLUDED.last_validated_at;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER networks_publish_insert AFTER INSERT ON ice.networks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_networks();
CREATE TRIGGER networks_publish_update AFTER UPDATE ON ice.networks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_networks();
CREATE TRIGGER networks_publish_delete AFTER DELETE ON ice.networks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_networks();

CREATE FUNCTION ice.publish_transfers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM ice_facts.transfer_links f USING old_rows o WHERE f.transfer_id = o.id;
  ELSE
    INSERT INTO ice_facts.transfer_links (transfer_id, person_id, from_org, to_org)
    SELECT n.id, n.person_id, n.from_org, n.to_org FROM new_rows n
    ON CONFLICT (transfer_id) DO UPDATE SET person_id = EXCLUDED.person_id, from_org = EXCLUDED.from_org, to_org = EXCLUDED.to_org;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER transfers_publish_insert AFTER INSERT ON ice.transfers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_transfers();
CREATE TRIGGER transfers_publish_update AFTER UPDATE ON ice.transfers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_transfers();
CREATE TRIGGER transfers_publish_delete AFTER DELETE ON ice.transfers REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ice.publish_transfers();

-- Rows written before this migration.
INSERT INTO ice_facts.persons (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, protected1367)
  SELECT id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, protected1367 FROM ice.persons
  ON CONFLICT (id) DO NOTHING;
INSERT INTO ice_facts.networks (id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, last_validated_at)
  SELECT id, owner_org, owner_agency, sensitivity, jurisdictions, disseminate, created_at, updated_at, last_validated_at FROM ice.networks
  ON CONFLICT (id) DO NOTHING;
INSERT INTO ice_facts.transfer_links (transfer_id, person_id, from_org, to_org)
  SELECT id, person_id, from_org, to_org FROM ice.transfers ON CONFLICT (transfer_id) DO NOTHING;
