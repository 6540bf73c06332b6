-- Retention of the realtime log (apps/server/src/realtime/retention.ts). The pruning task runs in
-- the system scope only to list the workspaces that have a log: it reads realtime_cursors
-- (a workspace id and its last seq, nothing else). The events themselves are deleted in each
-- workspace's own scope, under realtime_events_tenant, like all other tenant work.
CREATE POLICY realtime_cursors_system_read ON realtime_cursors FOR SELECT USING (parley_is_system());
