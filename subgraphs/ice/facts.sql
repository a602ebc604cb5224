-- ICE's published policy facts (SPEC 5 "Cross-agency policy facts"): ids, org ids,
-- jurisdictions and flags only, never PII. This ONE definition is applied by ICE (the owner,
-- kept current by triggers in migrations/002_publish_facts.sql) and by every consumer whose
-- database differs (a logical-replication copy). No NOT NULL or CHECK beyond the key: a
-- malformed row must arrive and be read as the restrictive value, not stop the subscription.
CREATE SCHEMA IF NOT EXISTS ice_facts;

-- The Person policy's attributes (meta + protected1367), for writes that name a person and
-- for the NGO's rule 6 on referrals. No name, date of birth, nationality or A-number.
CREATE TABLE IF NOT EXISTS ice_facts.persons (
  id            text PRIMARY KEY,
  owner_org     text,
  owner_agency  text,
  sensitivity   text,
  jurisdictions text[],
  disseminate   text[],
  created_at    timestamptz,
  updated_at    timestamptz,
  protected1367 boolean
);

-- The Network policy's attributes, for CBP's route links.
CREATE TABLE IF NOT EXISTS ice_facts.networks (
  id                text PRIMARY KEY,
  owner_org         text,
  owner_agency      text,
  sensitivity       text,
  jurisdictions     text[],
  disseminate       text[],
  created_at        timestamptz,
  updated_at        timestamptz,
  last_validated_at timestamptz
);

-- Custody links made by transfers (rules 2-4 on persons: linkedOrgs).
CREATE TABLE IF NOT EXISTS ice_facts.transfer_links (
  transfer_id text PRIMARY KEY,
  person_id   text,
  from_org    text,
  to_org      text
);
CREATE INDEX IF NOT EXISTS transfer_links_person ON ice_facts.transfer_links (person_id);

-- Beaten by ICE's running service every ~250 ms: a copy's freshness is now() - beat_at.
CREATE TABLE IF NOT EXISTS ice_facts.heartbeat (
  publisher text PRIMARY KEY,
  beat_at   timestamptz
);
