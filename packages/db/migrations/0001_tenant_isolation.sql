-- Tenant isolation, enforced by PostgreSQL itself.
-- The application runs every request and job as the role parley_app (SET LOCAL ROLE inside a
-- transaction). parley_app owns no table and has no BYPASSRLS, so forced row-level security
-- applies to it. The workspace of a transaction is set with set_config('app.workspace_id', ...).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parley_app') THEN
    CREATE ROLE parley_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database on the same server created it concurrently
END $$;
--> statement-breakpoint
DO $$
BEGIN
  -- A non-superuser owner (production) must be a member of parley_app to SET ROLE to it.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT parley_app TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION parley_current_workspace() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.workspace_id', true), '')::uuid
$$;
--> statement-breakpoint
CREATE FUNCTION parley_current_user() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;
--> statement-breakpoint
CREATE FUNCTION parley_is_operator() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.operator', true), '') = 'on'
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO parley_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions, recovery_codes, password_resets, auth_rate_limits TO parley_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON workspaces, memberships, invitations, api_keys, support_grants, data_keys TO parley_app;
--> statement-breakpoint
-- The audit log is append-only for the application.
GRANT SELECT, INSERT ON audit_log TO parley_app;
--> statement-breakpoint
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY workspaces_read ON workspaces FOR SELECT USING (
  id = parley_current_workspace()
  OR parley_is_operator()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = workspaces.id AND m.user_id = parley_current_user())
);
--> statement-breakpoint
CREATE POLICY workspaces_insert ON workspaces FOR INSERT WITH CHECK (id = parley_current_workspace() OR parley_is_operator());
--> statement-breakpoint
CREATE POLICY workspaces_update ON workspaces FOR UPDATE
  USING (id = parley_current_workspace() OR parley_is_operator())
  WITH CHECK (id = parley_current_workspace() OR parley_is_operator());
--> statement-breakpoint
CREATE POLICY workspaces_delete ON workspaces FOR DELETE USING (parley_is_operator());
--> statement-breakpoint
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A user may see their own memberships in every workspace (to choose one); everything else is per workspace.
CREATE POLICY memberships_read ON memberships FOR SELECT
  USING (workspace_id = parley_current_workspace() OR user_id = parley_current_user());
--> statement-breakpoint
CREATE POLICY memberships_write ON memberships FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY invitations_tenant ON invitations FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY api_keys_tenant ON api_keys FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE support_grants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE support_grants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY support_grants_tenant ON support_grants FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE data_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE data_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY data_keys_tenant ON data_keys FOR ALL
  USING (workspace_id IS NOT DISTINCT FROM parley_current_workspace())
  WITH CHECK (workspace_id IS NOT DISTINCT FROM parley_current_workspace());
--> statement-breakpoint
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_log_read ON audit_log FOR SELECT
  USING (workspace_id IS NOT DISTINCT FROM parley_current_workspace());
--> statement-breakpoint
CREATE POLICY audit_log_append ON audit_log FOR INSERT
  WITH CHECK (workspace_id IS NOT DISTINCT FROM parley_current_workspace());
--> statement-breakpoint
CREATE FUNCTION parley_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION parley_audit_log_is_append_only();
