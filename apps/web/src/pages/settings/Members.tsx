import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Items, Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ConfirmButton, ErrorAlert, Notice } from '../../ui/components.tsx';
import { can, QueryGate, ROLES, useWorkspaceQuery, type Role } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

export function MembersSection({ me, membership, workspaceId }: SectionProps) {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const query = useWorkspaceQuery<Items<Member>>(workspaceId, 'members', '/members');
  const [message, setMessage] = useState<string | null>(null);
  const canManage = can(membership.role, 'members.manage');
  const canManageOwners = can(membership.role, 'members.manage_owners');

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members', workspaceId] });
  const changeRole = useMutation({
    mutationFn: (v: { member: Member; role: Role }) =>
      api<Member>('PATCH', `/members/${v.member.userId}`, { body: { role: v.role }, workspaceId }),
    onMutate: () => setMessage(null),
    onSuccess: (m) =>
      setMessage(t('members.roleChanged', { name: m.name || m.email, role: t(`role.${m.role}`) })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (m: Member) => api<void>('DELETE', `/members/${m.userId}`, { workspaceId }),
    onMutate: () => setMessage(null),
    onSuccess: (_r, m) => setMessage(t('members.removed', { name: m.name || m.email })),
    onSettled: refresh,
  });

  /** Owners are changed only by owners; nobody removes themselves here. */
  const editable = (m: Member) => canManage && (m.role !== 'owner' || canManageOwners);
  const roleChoices = ROLES.filter((r) => r !== 'owner' || canManageOwners);

  return (
    <QueryGate query={query}>
      {({ items }) => (
        <div className="stack">
          {message && <Notice tone="success">{message}</Notice>}
          <ErrorAlert error={changeRole.error ?? remove.error} />
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('members.email')}</th>
                <th scope="col">{t('members.role')}</th>
                <th scope="col">{t('members.twoFactor')}</th>
                {canManage && <th scope="col">{t('members.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((m) => {
                const self = m.userId === me.user.id;
                const name = m.name || m.email;
                return (
                  <tr key={m.userId}>
                    <th scope="row" data-label={t('members.name')}>
                      {name} {self && <span className="muted">{t('members.you')}</span>}
                      <span className="muted block">{formatDate(m.createdAt)}</span>
                    </th>
                    <td data-label={t('members.email')} className="break">
                      {m.email}
                    </td>
                    <td data-label={t('members.role')}>
                      {editable(m) && !self ? (
                        <RoleControl
                          member={m}
                          name={name}
                          choices={roleChoices.includes(m.role) ? roleChoices : [m.role, ...roleChoices]}
                          busy={changeRole.isPending}
                          onSave={(role) => changeRole.mutate({ member: m, role })}
                        />
                      ) : (
                        t(`role.${m.role}`)
                      )}
                    </td>
                    <td data-label={t('members.twoFactor')}>
                      {m.twoFactorEnabled ? t('members.twoFactorOn') : t('members.twoFactorOff')}
                    </td>
                    {canManage && (
                      <td data-label={t('members.actions')}>
                        {editable(m) && !self && (
                          <ConfirmButton
                            label={t('common.remove')}
                            accessibleLabel={t('members.removeOf', { name })}
                            question={t('members.removeConfirm', { name })}
                            confirmLabel={t('common.remove')}
                            disabled={remove.isPending}
                            onConfirm={() => remove.mutate(m)}
                          />
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </QueryGate>
  );
}

/** A role picker that changes nothing until "Save" (arrow keys in a select must not fire changes). */
function RoleControl({
  member,
  name,
  choices,
  busy,
  onSave,
}: {
  member: Member;
  name: string;
  choices: Role[];
  busy: boolean;
  onSave: (role: Role) => void;
}) {
  const { t } = useI18n();
  const [role, setRole] = useState<Role>(member.role);
  useEffect(() => setRole(member.role), [member.role]);
  return (
    <span className="role-control">
      <select
        aria-label={t('members.roleOf', { name })}
        value={role}
        disabled={busy}
        onChange={(e) => setRole(e.target.value as Role)}
      >
        {choices.map((r) => (
          <option key={r} value={r}>
            {t(`role.${r}`)}
          </option>
        ))}
      </select>
      {role !== member.role && (
        <button type="button" className="button" disabled={busy} onClick={() => onSave(role)}>
          {t('members.saveRole')}
          <span className="visually-hidden"> {t('members.roleOf', { name })}</span>
        </button>
      )}
    </span>
  );
}
