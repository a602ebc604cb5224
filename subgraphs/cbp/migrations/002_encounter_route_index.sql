-- encounters(filter: { routeId }) and Encounter.route's foreign key: without this index both
-- scan every encounter.
CREATE INDEX IF NOT EXISTS encounters_route ON cbp.encounters (route_id, id);
