-- The auditors' filters on what an EVENT says (subject, org, agency, request) are indexed once per
-- event, not once per item. Every item of an event repeats its event's header, so the per-item
-- indexes of 010 held ~100 identical keys per event, and keeping them was most of what the
-- background indexer cost PostgreSQL on a busy log: inserting 300,000 items measured 17.4 µs
-- per item with 010's nine indexes and 7.6 µs with only the item-level ones (bench/results/
-- before-after.md). The indexer copies an event's items in one statement, so the item 0 row
-- is there whenever any item of the event is: it stands for its event in these indexes. The
-- API finds the events there and their items by the primary key (subgraphs/audit/query.ts).
CREATE INDEX access_items_event_subject ON audit.access_items (subject_sub, at, chain, seq) WHERE item = 0;
CREATE INDEX access_items_event_org ON audit.access_items (subject_org, at, chain, seq) WHERE item = 0;
CREATE INDEX access_items_event_agency ON audit.access_items (agency, at, chain, seq) WHERE item = 0;
CREATE INDEX access_items_event_request ON audit.access_items (request_id, at, chain, seq) WHERE item = 0;
DROP INDEX audit.access_items_subject;
DROP INDEX audit.access_items_org;
DROP INDEX audit.access_items_agency;
DROP INDEX audit.access_items_request;
