-- An encounter with someone the recording agent cannot read yet (SPEC 5, "Writes never widen reads")
-- carries the identity the agent holds instead of a link to ICE's Person: exactly one of the two.
ALTER TABLE cbp.encounters ALTER COLUMN person_id DROP NOT NULL;
ALTER TABLE cbp.encounters ADD COLUMN subject_name text;
ALTER TABLE cbp.encounters ADD COLUMN subject_date_of_birth date;
ALTER TABLE cbp.encounters ADD COLUMN subject_nationality text;
ALTER TABLE cbp.encounters ADD CONSTRAINT encounters_person_or_subject CHECK ((person_id IS NULL) <> (subject_name IS NULL));
