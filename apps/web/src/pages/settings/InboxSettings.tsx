import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { CannedResponse, Label, Team } from '../../api/inbox-types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { keys, useCanned, useLabels, useMembers, useTeams } from '../../inbox/data.ts';
import { ConfirmButton, ErrorAlert, Field, Notice } from '../../ui/components.tsx';
import { can, QueryGate } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

export function TeamsSection({ membership, workspaceId: ws }: SectionProps) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const teams = useTeams(ws);
  const members = useMembers(ws);
  const manage = can(membership.role, 'inbox.manage');
  const [name, setName] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: keys.teams(ws) });
  const create = useMutation({
    mutationFn: () => api<Team>('POST', '/teams', { workspaceId: ws, body: { name } }),
    onSuccess: () => setName(''),
    onSettled: refresh,
  });
  const member = useMutation({
    mutationFn: (v: { team: string; user: string; on: boolean }) =>
      api<unknown>(v.on ? 'PUT' : 'DELETE', `/teams/${v.team}/members/${v.user}`, { workspaceId: ws }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/teams/${id}`, { workspaceId: ws }),
    onSettled: refresh,
  });
  return (
    <div className="stack">
      {!manage && <p className="hint">{t('settings.readOnly')}</p>}
      <ErrorAlert error={create.error ?? member.error ?? remove.error} />
      <QueryGate query={teams}>
        {(items) =>
          items.length === 0 ? (
            <p className="muted">{t('teams.none')}</p>
          ) : (
            <ul className="plain-list stack">
              {items.map((team) => (
                <li key={team.id} className="card">
                  <h3>{team.name}</h3>
                  <fieldset className="checks">
                    <legend>{t('teams.members', { name: team.name })}</legend>
                    {(members.data ?? []).map((m) => (
                      <label key={m.userId} className="label-option">
                        <input
                          type="checkbox"
                          disabled={!manage || member.isPending}
                          checked={team.memberIds.includes(m.userId)}
                          onChange={(e) =>
                            member.mutate({ team: team.id, user: m.userId, on: e.target.checked })
                          }
                        />{' '}
                        {m.name || m.email}
                      </label>
                    ))}
                  </fieldset>
                  {manage && (
                    <ConfirmButton
                      label={t('common.remove')}
                      accessibleLabel={t('teams.removeOf', { name: team.name })}
                      question={t('teams.removeConfirm', { name: team.name })}
                      confirmLabel={t('common.remove')}
                      onConfirm={() => remove.mutate(team.id)}
                    />
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryGate>
      {manage && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field
            label={t('teams.new')}
            value={name}
            required
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={create.isPending || !name.trim()}>
            {t('teams.create')}
          </button>
        </form>
      )}
    </div>
  );
}

export function LabelsSection({ membership, workspaceId: ws }: SectionProps) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const labels = useLabels(ws);
  const manage = can(membership.role, 'inbox.manage');
  const [name, setName] = useState('');
  const [color, setColor] = useState('#1f4fd1');
  const refresh = () => qc.invalidateQueries({ queryKey: keys.labels(ws) });
  const create = useMutation({
    mutationFn: () => api<Label>('POST', '/labels', { workspaceId: ws, body: { name, color } }),
    onSuccess: () => setName(''),
    onSettled: refresh,
  });
  const update = useMutation({
    mutationFn: (v: { id: string; color: string }) =>
      api<Label>('PATCH', `/labels/${v.id}`, { workspaceId: ws, body: { color: v.color } }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/labels/${id}`, { workspaceId: ws }),
    onSettled: refresh,
  });
  return (
    <div className="stack">
      {!manage && <p className="hint">{t('settings.readOnly')}</p>}
      <ErrorAlert error={create.error ?? update.error ?? remove.error} />
      <QueryGate query={labels}>
        {(items) =>
          items.length === 0 ? (
            <p className="muted">{t('labels.none')}</p>
          ) : (
            <ul className="plain-list stack">
              {items.map((l) => (
                <li key={l.id} className="label-row">
                  <span className="label-chip" style={{ borderColor: l.color }}>
                    <span className="label-dot" style={{ background: l.color }} aria-hidden="true" />
                    {l.name}
                  </span>
                  {manage && (
                    <>
                      <input
                        type="color"
                        aria-label={t('labels.colorOf', { name: l.name })}
                        defaultValue={l.color}
                        onBlur={(e) =>
                          e.target.value !== l.color && update.mutate({ id: l.id, color: e.target.value })
                        }
                      />
                      <ConfirmButton
                        label={t('common.remove')}
                        accessibleLabel={t('labels.removeOf', { name: l.name })}
                        question={t('labels.removeConfirm', { name: l.name })}
                        confirmLabel={t('common.remove')}
                        onConfirm={() => remove.mutate(l.id)}
                      />
                    </>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryGate>
      {manage && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field
            label={t('labels.new')}
            value={name}
            required
            maxLength={64}
            onChange={(e) => setName(e.target.value)}
          />
          <Field
            label={t('labels.color')}
            type="color"
            value={color}
            onChange={(e) => setColor(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={create.isPending || !name.trim()}>
            {t('labels.create')}
          </button>
        </form>
      )}
    </div>
  );
}

export function CannedSection({ membership, workspaceId: ws }: SectionProps) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const canned = useCanned(ws);
  const manage = can(membership.role, 'inbox.manage');
  const [f, setF] = useState({ shortcut: '', title: '', body: '' });
  const refresh = () => qc.invalidateQueries({ queryKey: keys.canned(ws) });
  const create = useMutation({
    mutationFn: () => api<CannedResponse>('POST', '/canned-responses', { workspaceId: ws, body: f }),
    onSuccess: () => setF({ shortcut: '', title: '', body: '' }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/canned-responses/${id}`, { workspaceId: ws }),
    onSettled: refresh,
  });
  return (
    <div className="stack">
      <p className="hint">{t('canned.intro')}</p>
      {!manage && <p className="hint">{t('settings.readOnly')}</p>}
      <ErrorAlert error={create.error ?? remove.error} />
      <QueryGate query={canned}>
        {(items) =>
          items.length === 0 ? (
            <p className="muted">{t('canned.none')}</p>
          ) : (
            <ul className="plain-list stack">
              {items.map((c) => (
                <li key={c.id} className="card">
                  <h3>
                    <code>/{c.shortcut}</code> {c.title}
                  </h3>
                  <p className="pre-wrap">{c.body}</p>
                  {manage && (
                    <ConfirmButton
                      label={t('common.remove')}
                      accessibleLabel={t('canned.removeOf', { name: c.shortcut })}
                      question={t('canned.removeConfirm', { name: c.shortcut })}
                      confirmLabel={t('common.remove')}
                      onConfirm={() => remove.mutate(c.id)}
                    />
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </QueryGate>
      {manage && (
        <form
          className="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h3>{t('canned.new')}</h3>
          <Field
            label={t('canned.shortcut')}
            hint={t('canned.shortcutHint')}
            value={f.shortcut}
            required
            pattern="[a-z0-9_\-]{1,32}"
            onChange={(e) => setF({ ...f, shortcut: e.target.value })}
          />
          <Field
            label={t('canned.titleField')}
            value={f.title}
            required
            maxLength={200}
            onChange={(e) => setF({ ...f, title: e.target.value })}
          />
          <div className="field">
            <label htmlFor="canned-body">{t('canned.body')}</label>
            <textarea
              id="canned-body"
              rows={3}
              required
              maxLength={4096}
              value={f.body}
              onChange={(e) => setF({ ...f, body: e.target.value })}
            />
          </div>
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={create.isPending}>
              {t('canned.create')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

export function InboxSection({ membership, workspaceId: ws }: SectionProps) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const manage = can(membership.role, 'inbox.manage');
  const query = useQuery({
    queryKey: ['inbox-settings', ws],
    queryFn: () => api<{ autoAssign: boolean }>('GET', '/inbox-settings', { workspaceId: ws }),
  });
  const save = useMutation({
    mutationFn: (autoAssign: boolean) =>
      api<{ autoAssign: boolean }>('PATCH', '/inbox-settings', { workspaceId: ws, body: { autoAssign } }),
    onSuccess: (s) => qc.setQueryData(['inbox-settings', ws], s),
  });
  return (
    <QueryGate query={query}>
      {(s) => (
        <div className="stack">
          {save.isSuccess && <Notice tone="success">{t('inboxSettings.saved')}</Notice>}
          <ErrorAlert error={save.error} />
          <div className="checkbox-field">
            <input
              id="auto-assign"
              type="checkbox"
              checked={s.autoAssign}
              disabled={!manage || save.isPending}
              aria-describedby="auto-assign-hint"
              onChange={(e) => save.mutate(e.target.checked)}
            />
            <label htmlFor="auto-assign">{t('inboxSettings.autoAssign')}</label>
            <p id="auto-assign-hint" className="hint">
              {t('inboxSettings.autoAssignHint')}
            </p>
          </div>
          {!manage && <p className="hint">{t('settings.readOnly')}</p>}
        </div>
      )}
    </QueryGate>
  );
}
