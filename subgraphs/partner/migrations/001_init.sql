-- 287(g) partners: jail bookings and detainers.
CREATE SCHEMA IF NOT EXISTS partner;

CREATE TABLE partner.bookings (
  id              text PRIMARY KEY,
  owner_org       text NOT NULL,
  owner_agency    text NOT NULL,
  sensitivity     text NOT NULL,
  jurisdictions   text[] NOT NULL DEFAULT '{}',
  disseminate     text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  person_id       text NOT NULL,
  county          text NOT NULL,
  booked_at       timestamptz NOT NULL,
  charges         text[] NOT NULL DEFAULT '{}',
  detainer_status text NOT NULL,
  release_date    date,
  -- the ICE transfer this booking's detainer led to, if any
  transfer_id     text
);
CREATE INDEX bookings_person ON partner.bookings (person_id);
CREATE INDEX bookings_transfer ON partner.bookings (transfer_id);
CREATE INDEX bookings_owner ON partner.bookings (owner_org, id);
