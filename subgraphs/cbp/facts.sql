-- CBP's published policy facts: custody links from encounters (ids and org ids only). One
-- definition for the owner and every copy; see subgraphs/ice/facts.sql.
CREATE SCHEMA IF NOT EXISTS cbp_facts;

CREATE TABLE IF NOT EXISTS cbp_facts.custody_links (
  encounter_id text PRIMARY KEY,
  person_id    text,
  owner_org    text
);
CREATE INDEX IF NOT EXISTS custody_links_person ON cbp_facts.custody_links (person_id);

CREATE TABLE IF NOT EXISTS cbp_facts.heartbeat (
  publisher text PRIMARY KEY,
  beat_at   timestamptz
);
