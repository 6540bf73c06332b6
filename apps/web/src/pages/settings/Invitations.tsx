import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { Invitation, Items } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ConfirmButton, CopyField, ErrorAlert, Field, Notice, SelectField } from '../../ui/components.tsx';
import { can, QueryGate, ROLES, useWorkspaceQuery, type Role } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

export function InvitationsSection({ membership, workspaceId }: SectionProps) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const query = useWorkspaceQuery<Items<Invitation>>(workspaceId, 'invitations', '/invitations');
  const roles = ROLES.filter((r) => r !== 'owner' || can(membership.role, 'members.manage_owners'));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [created, setCreated] = useState<{ email: string; url: string } | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['invitations', workspaceId] });
  const invite = useMutation({
    mutationFn: () =>
      api<{ invitation: Invitation; url: string }>('POST', '/invitations', {
        body: { email, role },
        workspaceId,
      }),
    onMutate: () => {
      setCreated(null);
      setRevoked(null);
    },
    onSuccess: (res) => {
      // The link exists only in this answer: it is shown now and never again.
      setCreated({ email: res.invitation.email, url: res.url });
      setEmail('');
    },
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (inv: Invitation) => api<void>('DELETE', `/invitations/${inv.id}`, { workspaceId }),
    onSuccess: (_r, inv) => setRevoked(inv.email),
    onSettled: refresh,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };

  return (
    <div className="stack">
      <form className="stack narrow" onSubmit={submit} aria-labelledby="invite-title">
        <h3 id="invite-title">{t('inv.new')}</h3>
        <ErrorAlert error={invite.error} />
        <div className="row">
          <Field
            label={t('inv.email')}
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <SelectField label={t('inv.role')} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </SelectField>
        </div>
        <div>
          <button type="submit" className="button button-primary" disabled={invite.isPending}>
            {invite.isPending ? t('inv.sending') : t('inv.send')}
          </button>
        </div>
      </form>
      {created && (
        <CopyField
          label={t('inv.linkFor', { email: created.email })}
          value={created.url}
          note={t('inv.linkOnce')}
        />
      )}
      <h3>{t('inv.pending')}</h3>
      {revoked && <Notice tone="success">{t('inv.revoked', { email: revoked })}</Notice>}
      <ErrorAlert error={revoke.error} />
      <QueryGate query={query}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="muted">{t('inv.none')}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('inv.email')}</th>
                  <th scope="col">{t('inv.role')}</th>
                  <th scope="col">{t('inv.expires')}</th>
                  <th scope="col">{t('members.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((inv) => (
                  <tr key={inv.id}>
                    <th scope="row" data-label={t('inv.email')} className="break">
                      {inv.email}
                    </th>
                    <td data-label={t('inv.role')}>{t(`role.${inv.role}`)}</td>
                    <td data-label={t('inv.expires')}>{formatDate(inv.expiresAt)}</td>
                    <td data-label={t('members.actions')}>
                      <ConfirmButton
                        label={t('common.revoke')}
                        accessibleLabel={t('inv.revokeOf', { email: inv.email })}
                        question={t('inv.revokeOf', { email: inv.email })}
                        confirmLabel={t('common.revoke')}
                        disabled={revoke.isPending}
                        onConfirm={() => revoke.mutate(inv)}
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
