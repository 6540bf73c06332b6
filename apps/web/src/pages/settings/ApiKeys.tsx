import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { ApiKey, Items } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ConfirmButton, CopyField, ErrorAlert, Field, Notice, SelectField } from '../../ui/components.tsx';
import { QueryGate, useWorkspaceQuery, type Role } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

/** Keys act for the workspace, never as an owner. */
const KEY_ROLES: Role[] = ['analyst', 'agent', 'admin'];

export function ApiKeysSection({ workspaceId }: SectionProps) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const query = useWorkspaceQuery<Items<ApiKey>>(workspaceId, 'apiKeys', '/api-keys');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['apiKeys', workspaceId] });
  const create = useMutation({
    mutationFn: () =>
      api<{ apiKey: ApiKey; token: string }>('POST', '/api-keys', {
        body: { name: name.trim(), role },
        workspaceId,
      }),
    onMutate: () => {
      setCreated(null);
      setRevoked(null);
    },
    onSuccess: (res) => {
      setCreated({ name: res.apiKey.name, token: res.token });
      setName('');
    },
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => api<void>('DELETE', `/api-keys/${key.id}`, { workspaceId }),
    onSuccess: (_r, key) => setRevoked(key.name),
    onSettled: refresh,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <div className="stack">
      <p className="hint">{t('keys.intro')}</p>
      <form className="stack narrow" onSubmit={submit} aria-labelledby="key-title">
        <h3 id="key-title">{t('keys.new')}</h3>
        <ErrorAlert error={create.error} />
        <div className="row">
          <Field
            label={t('keys.name')}
            required
            maxLength={100}
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <SelectField label={t('keys.role')} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {KEY_ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </SelectField>
        </div>
        <div>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {t('keys.create')}
          </button>
        </div>
      </form>
      {created && (
        <CopyField
          label={t('keys.tokenFor', { name: created.name })}
          value={created.token}
          note={t('keys.tokenOnce')}
        />
      )}
      <h3>{t('keys.list')}</h3>
      {revoked && <Notice tone="success">{t('keys.revoked', { name: revoked })}</Notice>}
      <ErrorAlert error={revoke.error} />
      <QueryGate query={query}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="muted">{t('keys.none')}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('keys.name')}</th>
                  <th scope="col">{t('keys.role')}</th>
                  <th scope="col">{t('keys.prefix')}</th>
                  <th scope="col">{t('keys.created')}</th>
                  <th scope="col">{t('keys.lastUsed')}</th>
                  <th scope="col">{t('members.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((key) => (
                  <tr key={key.id}>
                    <th scope="row" data-label={t('keys.name')} className="break">
                      {key.name}
                    </th>
                    <td data-label={t('keys.role')}>{t(`role.${key.role}`)}</td>
                    <td data-label={t('keys.prefix')}>
                      <code>{key.prefix}…</code>
                    </td>
                    <td data-label={t('keys.created')}>{formatDate(key.createdAt)}</td>
                    <td data-label={t('keys.lastUsed')}>
                      {key.lastUsedAt ? formatDate(key.lastUsedAt) : t('common.never')}
                    </td>
                    <td data-label={t('members.actions')}>
                      <ConfirmButton
                        label={t('common.revoke')}
                        accessibleLabel={t('keys.revokeOf', { name: key.name })}
                        question={t('keys.revokeOf', { name: key.name })}
                        confirmLabel={t('common.revoke')}
                        disabled={revoke.isPending}
                        onConfirm={() => revoke.mutate(key)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryGate>
    </div>
  );
}
