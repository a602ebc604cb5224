-- ICE: core identity, criminal networks, custody transfers.
CREATE SCHEMA IF NOT EXISTS ice;

CREATE TABLE ice.persons (
  id            text PRIMARY KEY,
  owner_org     text NOT NULL,
  owner_agency  text NOT NULL,
  sensitivity   text NOT NULL,
  jurisdictions text[] NOT NULL DEFAULT '{}',
  disseminate   text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  name          text NOT NULL,
  date_of_birth date,
  nationality   text,
  a_number      text UNIQUE,
  protected1367 boolean NOT NULL DEFAULT false
);

CREATE TABLE ice.networks (
  id                 text PRIMARY KEY,
  owner_org          text NOT NULL,
  owner_agency       text NOT NULL,
  sensitivity        text NOT NULL,
  jurisdictions      text[] NOT NULL DEFAULT '{}',
  disseminate        text[] NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  name               text NOT NULL,
  kind               text NOT NULL,
  threat_level       text NOT NULL,
  status             text NOT NULL,
  sectors            text[] NOT NULL DEFAULT '{}',
  intelligence_basis text,
  analytic_summary   text,
  last_validated_at  timestamptz NOT NULL
);

CREATE TABLE ice.network_members (
  network_id text NOT NULL REFERENCES ice.networks(id),
  person_id  text NOT NULL REFERENCES ice.persons(id),
  role       text NOT NULL,
  PRIMARY KEY (network_id, person_id)
);
CREATE INDEX network_members_person ON ice.network_members (person_id);

CREATE TABLE ice.transfers (
  id              text PRIMARY KEY,
  owner_org       text NOT NULL,
  owner_agency    text NOT NULL,
  sensitivity     text NOT NULL,
  jurisdictions   text[] NOT NULL DEFAULT '{}',
  disseminate     text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  person_id       text NOT NULL REFERENCES ice.persons(id),
  status          text NOT NULL,
  from_org        text NOT NULL,
  from_facility   text,
  to_org          text NOT NULL,
  to_facility     text NOT NULL,
  requested_at    timestamptz NOT NULL,
  accepted_at     timestamptz,
  departed_at     timestamptz,
  completed_at    timestamptz,
  cancelled_at    timestamptz,
  reason          text,
  medical_summary text
);
CREATE INDEX transfers_person ON ice.transfers (person_id);
CREATE INDEX transfers_from_org ON ice.transfers (from_org, id);
CREATE INDEX transfers_status ON ice.transfers (status, id);
