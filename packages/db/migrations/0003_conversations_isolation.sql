-- Tenant isolation for conversations, channels and their jobs (see 0001 for the model).
-- A third kind of scope joins workspace, user and operator: the platform's own pipeline
-- (webhook ingestion, job claiming), set with app.system = 'on'. It sees raw webhook events,
-- Meta apps, and just enough of channels and jobs to route and claim work; the work itself then
-- runs in the workspace's own scope.
CREATE FUNCTION parley_is_system() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.system', true), '') = 'on'
$$;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON channels, contacts, contact_identities, teams, team_members, conversations, messages, media_objects, labels, conversation_labels, canned_responses, jobs, realtime_events, realtime_cursors, agent_availability, inbox_settings, webhook_events, meta_apps TO parley_app;
--> statement-breakpoint
ALTER TABLE channels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE channels FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY channels_tenant ON channels FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY contacts_tenant ON contacts FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE contact_identities ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE contact_identities FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY contact_identities_tenant ON contact_identities FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE teams FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY teams_tenant ON teams FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE team_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE team_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY team_members_tenant ON team_members FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY conversations_tenant ON conversations FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY messages_tenant ON messages FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE media_objects ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE media_objects FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY media_objects_tenant ON media_objects FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE labels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE labels FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY labels_tenant ON labels FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE conversation_labels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE conversation_labels FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY conversation_labels_tenant ON conversation_labels FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE canned_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE canned_responses FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY canned_responses_tenant ON canned_responses FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY jobs_tenant ON jobs FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE realtime_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE realtime_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY realtime_events_tenant ON realtime_events FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE realtime_cursors ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE realtime_cursors FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY realtime_cursors_tenant ON realtime_cursors FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE agent_availability ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE agent_availability FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY agent_availability_tenant ON agent_availability FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE inbox_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE inbox_settings FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY inbox_settings_tenant ON inbox_settings FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
-- Routing a webhook to its channel, and claiming due jobs, happen before a workspace is known.
CREATE POLICY channels_system_read ON channels FOR SELECT USING (parley_is_system());
--> statement-breakpoint
CREATE POLICY jobs_system_read ON jobs FOR SELECT USING (parley_is_system());
--> statement-breakpoint
CREATE POLICY jobs_system_claim ON jobs FOR UPDATE USING (parley_is_system()) WITH CHECK (parley_is_system());
--> statement-breakpoint
ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE meta_apps ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE meta_apps FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY webhook_events_system ON webhook_events FOR ALL
  USING (parley_is_system()) WITH CHECK (parley_is_system());
--> statement-breakpoint
-- The operator inspects and replays every dead letter; a workspace, those routed to it.
CREATE POLICY webhook_events_inspect ON webhook_events FOR SELECT
  USING (parley_is_operator() OR workspace_id = parley_current_workspace());
--> statement-breakpoint
CREATE POLICY webhook_events_replay ON webhook_events FOR UPDATE
  USING (parley_is_operator() OR workspace_id = parley_current_workspace())
  WITH CHECK (parley_is_operator() OR workspace_id = parley_current_workspace());
--> statement-breakpoint
CREATE POLICY meta_apps_system ON meta_apps FOR ALL
  USING (parley_is_system()) WITH CHECK (parley_is_system());
