-- A booking of someone the booking office cannot read yet (SPEC 5, "Writes never widen reads")
-- carries the identity the office holds instead of a link to ICE's Person: exactly one of the two.
ALTER TABLE partner.bookings ALTER COLUMN person_id DROP NOT NULL;
ALTER TABLE partner.bookings ADD COLUMN subject_name text;
ALTER TABLE partner.bookings ADD COLUMN subject_date_of_birth date;
ALTER TABLE partner.bookings ADD COLUMN subject_nationality text;
ALTER TABLE partner.bookings ADD CONSTRAINT bookings_person_or_subject CHECK ((person_id IS NULL) <> (subject_name IS NULL));
