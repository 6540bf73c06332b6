import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { ME_KEY } from '../../api/session.ts';
import type { Workspace } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert, Field, Notice } from '../../ui/components.tsx';
import { can, QueryGate, useWorkspaceQuery } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

export function WorkspaceSection({ membership, workspaceId }: SectionProps) {
  const query = useWorkspaceQuery<Workspace>(workspaceId, 'workspace', '/workspace');
  return (
    <QueryGate query={query}>
      {(ws) => (
        <WorkspaceForm key={ws.id} workspace={ws} canEdit={can(membership.role, 'workspace.update')} />
      )}
    </QueryGate>
  );
}

function WorkspaceForm({ workspace, canEdit }: { workspace: Workspace; canEdit: boolean }) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const [name, setName] = useState(workspace.name);
  const [require2fa, setRequire2fa] = useState(workspace.require2fa);

  const save = useMutation({
    mutationFn: (body: { name?: string; require2fa?: boolean }) =>
      api<Workspace>('PATCH', '/workspace', { body, workspaceId: workspace.id }),
    onSuccess: async (updated) => {
      queryClient.setQueryData(['workspace', workspace.id], updated);
      // The switcher shows names from /auth/me.
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ name: name.trim(), require2fa });
  };

  return (
    <form className="stack narrow" onSubmit={submit}>
      {!canEdit && <Notice>{t('settings.readOnly')}</Notice>}
      <ErrorAlert error={save.error} />
      {save.isSuccess && <Notice tone="success">{t('ws.saved')}</Notice>}
      <Field
        label={t('ws.name')}
        required
        maxLength={200}
        disabled={!canEdit}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="checkbox-field">
        <input
          id="require2fa"
          type="checkbox"
          checked={require2fa}
          disabled={!canEdit}
          aria-describedby="require2fa-help"
          onChange={(e) => setRequire2fa(e.target.checked)}
        />
        <label htmlFor="require2fa">{t('ws.require2fa')}</label>
        <p id="require2fa-help" className="hint">
          {t('ws.require2faHelp')}
        </p>
      </div>
      {canEdit && (
        <div>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? t('common.saving') : t('common.save')}
          </button>
        </div>
      )}
      <h3>{t('ws.details')}</h3>
      <dl className="details">
        <dt>{t('ws.plan')}</dt>
        <dd>{t(`plan.${workspace.plan}`)}</dd>
        <dt>{t('ws.status')}</dt>
        <dd>{t(`status.${workspace.status}`)}</dd>
        <dt>{t('ws.created')}</dt>
        <dd>{formatDate(workspace.createdAt)}</dd>
      </dl>
    </form>
  );
}
