-- CBP: smuggling routes and encounters.
CREATE SCHEMA IF NOT EXISTS cbp;

CREATE TABLE cbp.routes (
  id                  text PRIMARY KEY,
  owner_org           text NOT NULL,
  owner_agency        text NOT NULL,
  sensitivity         text NOT NULL,
  jurisdictions       text[] NOT NULL DEFAULT '{}',
  disseminate         text[] NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  name                text NOT NULL,
  sector              text NOT NULL,
  modality            text NOT NULL,
  -- [{lat, lon}] rounded to ~10 km: the coarse path
  path                jsonb NOT NULL DEFAULT '[]',
  -- [{lat, lon}] at full precision: TACTICAL
  waypoints           jsonb NOT NULL DEFAULT '[]',
  first_seen_at       timestamptz NOT NULL,
  last_seen_at        timestamptz NOT NULL,
  activity_level      text NOT NULL,
  -- [{kind, label, lat, lon}]: TACTICAL
  surveillance_assets jsonb NOT NULL DEFAULT '[]',
  -- [{kind, description, lat, lon, observedAt}]: HUMANITARIAN
  hazards             jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX routes_sector ON cbp.routes (sector, id);

-- Which network operates which route (an ICE or CBP intelligence finding, recorded by CBP).
CREATE TABLE cbp.route_networks (
  route_id   text NOT NULL REFERENCES cbp.routes(id),
  network_id text NOT NULL,
  linked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (route_id, network_id)
);
CREATE INDEX route_networks_network ON cbp.route_networks (network_id);

CREATE TABLE cbp.encounters (
  id                  text PRIMARY KEY,
  owner_org           text NOT NULL,
  owner_agency        text NOT NULL,
  sensitivity         text NOT NULL,
  jurisdictions       text[] NOT NULL DEFAULT '{}',
  disseminate         text[] NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  occurred_at         timestamptz NOT NULL,
  sector              text NOT NULL,
  station             text NOT NULL,
  route_id            text REFERENCES cbp.routes(id),
  person_id           text NOT NULL,
  disposition         text NOT NULL,
  unaccompanied_minor boolean NOT NULL DEFAULT false,
  family_unit         boolean NOT NULL DEFAULT false,
  medical_need        boolean NOT NULL DEFAULT false,
  medical_summary     text
);
CREATE INDEX encounters_person ON cbp.encounters (person_id);
CREATE INDEX encounters_sector ON cbp.encounters (sector, id);
