-- A database per agency and one for the audit log (issue 13), created at the container's first
-- start. Each service migrates only its own schema in its own database, plus the copies of the
-- policy facts it reads (kept by logical replication from their owners' databases).
CREATE DATABASE cbp;
CREATE DATABASE ice;
CREATE DATABASE partner;
CREATE DATABASE ngo;
CREATE DATABASE audit;
