-- NGOs: service providers, referrals and the client's consent.
CREATE SCHEMA IF NOT EXISTS ngo;

CREATE TABLE ngo.providers (
  id             text PRIMARY KEY,
  owner_org      text NOT NULL,
  owner_agency   text NOT NULL,
  sensitivity    text NOT NULL,
  jurisdictions  text[] NOT NULL DEFAULT '{}',
  disseminate    text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  name           text NOT NULL,
  services       text[] NOT NULL DEFAULT '{}',
  sector         text NOT NULL,
  capacity       integer NOT NULL,
  beds_available integer NOT NULL
);
CREATE INDEX providers_sector ON ngo.providers (sector, id);

CREATE TABLE ngo.referrals (
  id            text PRIMARY KEY,
  owner_org     text NOT NULL,
  owner_agency  text NOT NULL,
  sensitivity   text NOT NULL,
  jurisdictions text[] NOT NULL DEFAULT '{}',
  disseminate   text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  person_id     text NOT NULL,
  from_org      text NOT NULL,
  to_org        text NOT NULL,
  service       text NOT NULL,
  status        text NOT NULL,
  provider_id   text REFERENCES ngo.providers(id),
  notes         text,
  circumstances text
);
CREATE INDEX referrals_person ON ngo.referrals (person_id);
CREATE INDEX referrals_to_org ON ngo.referrals (to_org, id);
CREATE INDEX referrals_from_org ON ngo.referrals (from_org, id);

-- The client's consent for one referral: who may see it, for which purposes, until when.
CREATE TABLE ngo.consents (
  referral_id      text PRIMARY KEY REFERENCES ngo.referrals(id),
  grantees         text[] NOT NULL DEFAULT '{}',
  purposes         text[] NOT NULL DEFAULT '{}',
  notify_transfers boolean NOT NULL DEFAULT false,
  granted_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz,
  revoked_at       timestamptz
);
