-- The NGOs publish referral custody links and each referral's consent to transfer
-- notification (subgraphs/ngo/facts.sql, applied before this file). Both are derived from a
-- referral and its consent, so a change to either recomputes the referral's facts in the same
-- transaction.

CREATE FUNCTION ngo.refresh_referral_facts(p_ids text[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM ngo_facts.referral_links f WHERE f.referral_id = ANY(p_ids)
    AND NOT EXISTS (SELECT 1 FROM ngo.referrals r WHERE r.id = f.referral_id);
  DELETE FROM ngo_facts.transfer_notification f WHERE f.referral_id = ANY(p_ids)
    AND NOT EXISTS (SELECT 1 FROM ngo.referrals r WHERE r.id = f.referral_id);
  INSERT INTO ngo_facts.referral_links (referral_id, person_id, from_org, to_org)
    SELECT r.id, r.person_id, r.from_org, r.to_org FROM ngo.referrals r WHERE r.id = ANY(p_ids)
    ON CONFLICT (referral_id) DO UPDATE SET person_id = EXCLUDED.person_id, from_org = EXCLUDED.from_org, to_org = EXCLUDED.to_org;
  -- notify: an active referral whose consent asks for notification and is unrevoked (rule 4);
  -- expiry stays a date, judged at the reader's request time.
  INSERT INTO ngo_facts.transfer_notification (referral_id, person_id, ngo_org, notify, expires_at)
    SELECT r.id, r.person_id, r.to_org,
           r.status IN ('OPEN', 'ACCEPTED', 'IN_PROGRESS') AND COALESCE(c.notify_transfers, false) AND c.revoked_at IS NULL,
           c.expires_at
    FROM ngo.referrals r LEFT JOIN ngo.consents c ON c.referral_id = r.id WHERE r.id = ANY(p_ids)
    ON CONFLICT (referral_id) DO UPDATE SET person_id = EXCLUDED.person_id, ngo_org = EXCLUDED.ngo_org,
      notify = EXCLUDED.notify, expires_at = EXCLUDED.expires_at;
$$;

CREATE FUNCTION ngo.publish_referrals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM ngo.refresh_referral_facts(ARRAY(SELECT o.id FROM old_rows o));
  ELSE
    PERFORM ngo.refresh_referral_facts(ARRAY(SELECT n.id FROM new_rows n));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER referrals_publish_insert AFTER INSERT ON ngo.referrals REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ngo.publish_referrals();
CREATE TRIGGER referrals_publish_update AFTER UPDATE ON ngo.referrals REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ngo.publish_referrals();
CREATE TRIGGER referrals_publish_delete AFTER DELETE ON ngo.referrals REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ngo.publish_referrals();

CREATE FUNCTION ngo.publish_consents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM ngo.refresh_referral_facts(ARRAY(SELECT o.referral_id FROM old_rows o));
  ELSE
    PERFORM ngo.refresh_referral_facts(ARRAY(SELECT n.referral_id FROM new_rows n));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER consents_publish_insert AFTER INSERT ON ngo.consents REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ngo.publish_consents();
CREATE TRIGGER consents_publish_update AFTER UPDATE ON ngo.consents REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ngo.publish_consents();
CREATE TRIGGER consents_publish_delete AFTER DELETE ON ngo.consents REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ngo.publish_consents();

SELECT ngo.refresh_referral_facts(ARRAY(SELECT id FROM ngo.referrals));
