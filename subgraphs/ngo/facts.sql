-- The NGOs' published policy facts (ids, org ids and flags; never notes, circumstances or the
-- consent's purposes). One definition for the owner and every copy; see subgraphs/ice/facts.sql.
CREATE SCHEMA IF NOT EXISTS ngo_facts;

-- Custody links made by referrals (rules 2-4 on persons: linkedOrgs).
CREATE TABLE IF NOT EXISTS ngo_facts.referral_links (
  referral_id text PRIMARY KEY,
  person_id   text,
  from_org    text,
  to_org      text
);
CREATE INDEX IF NOT EXISTS referral_links_person ON ngo_facts.referral_links (person_id);

-- A referral's consent to transfer notification (rule 4 on transfers): `notify` is true only
-- while the referral is active and its consent asks for notification and is unrevoked;
-- `expires_at` stays a date because expiry is judged at the reader's request time.
CREATE TABLE IF NOT EXISTS ngo_facts.transfer_notification (
  referral_id text PRIMARY KEY,
  person_id   text,
  ngo_org     text,
  notify      boolean,
  expires_at  timestamptz
);
CREATE INDEX IF NOT EXISTS transfer_notification_person ON ngo_facts.transfer_notification (person_id);

CREATE TABLE IF NOT EXISTS ngo_facts.heartbeat (
  publisher text PRIMARY KEY,
  beat_at   timestamptz
);
