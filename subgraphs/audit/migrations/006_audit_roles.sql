-- The audit log in a store of its own (AUDIT_DATABASE_URL; SPEC section 6): services append
-- through a role that can only append. These helpers grant exactly that, so an operator does
-- not have to know the functions' signatures (docs/operations.md, "The audit store's roles"):
--
--   CREATE ROLE tributary_audit_append LOGIN PASSWORD '...';
--   SELECT audit.grant_appender('tributary_audit_append');
--
-- Roles are cluster-wide and need CREATEROLE, so no migration creates one; a migration only
-- defines what a role may do. Run them as the role that owns the audit schema (the one that
-- migrates); grants are per database.

/*
 * The append-only role: USAGE on the schema (to name the functions) and EXECUTE on the two
 * functions of the append protocol, both SECURITY DEFINER (migration 005): audit.append_events
 * and audit.lock_chain, which returns only the head's seq and hash (what a writer must chain
 * from). No privilege on any table or view: it can neither read nor alter the log, and what it
 * appends must link to the head (the function checks), so it cannot fork or rewrite a chain.
 */
CREATE FUNCTION audit.grant_appender(p_role name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA audit TO %I', p_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION audit.lock_chain(text) TO %I', p_role);
  EXECUTE format('GRANT EXECUTE ON FUNCTION audit.append_events(text, bigint, text, bigint[], timestamptz[], text[], '
    'text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], integer[], '
    'text[], text[], text[], text[]) TO %I', p_role);
END
$$;

/*
 * A reading role (auditors' tools such as `npm run audit:verify` pointed at the audit store):
 * SELECT on every table and view of the schema as it stands when called (call it again after
 * an upgrade adds one). Nothing else: the audit service itself, which also writes checkpoints,
 * the index and retention cuts, connects as the owner (AUDIT_ADMIN_DATABASE_URL).
 */
CREATE FUNCTION audit.grant_reader(p_role name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA audit TO %I', p_role);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA audit TO %I', p_role);
END
$$;

REVOKE ALL ON FUNCTION audit.grant_appender(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.grant_reader(name) FROM PUBLIC;
-- Retention runs in the audit service as the owner; nobody else needs to call it.
REVOKE ALL ON FUNCTION audit.purge_events(text, bigint) FROM PUBLIC;
