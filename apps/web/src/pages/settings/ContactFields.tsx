import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, isApiError } from '../../api/client.ts';
import type { ContactField, ContactFieldType } from '../../api/inbox-types.ts';
import { useI18n, type Translate } from '../../i18n/index.tsx';
import { keys, useContactFields } from '../../inbox/data.ts';
import { ConfirmButton, ErrorAlert, Field, SelectField } from '../../ui/components.tsx';
import { can, QueryGate } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

const TYPES: ContactFieldType[] = ['text', 'number', 'date', 'boolean', 'select'];
const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const LABEL_MAX = 80;

/** A key from a label: "Date of birth" → "date_of_birth" (accents folded, at most 40 characters). */
export function keyFromLabel(label: string): string {
  const slug = label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const key = /^[a-z]/.test(slug) ? slug : slug ? `f_${slug}` : '';
  return key.slice(0, 40).replace(/_+$/, '');
}

/** Options typed one per line. */
const optionsOf = (text: string) =>
  text
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean);

type Problems = Partial<Record<'key' | 'label' | 'options', string>>;

function checkDefinition(
  t: Translate,
  f: { key?: string; label: string; type: ContactFieldType; options: string },
): Problems {
  const problems: Problems = {};
  if (f.key !== undefined && !KEY.test(f.key)) problems.key = t('contactFieldSettings.invalid.key');
  if (!f.label.trim() || f.label.trim().length > LABEL_MAX)
    problems.label = t('contactFieldSettings.invalid.label');
  if (f.type === 'select') {
    const options = optionsOf(f.options);
    const distinct = new Set(options.map((o) => o.toLowerCase()));
    if (
      options.length === 0 ||
      options.length > 50 ||
      distinct.size !== options.length ||
      options.some((o) => o.length > 80)
    )
      problems.options = t('contactFieldSettings.invalid.options');
  }
  return problems;
}

/** What the server refused, placed next to the input it concerns. */
function serverProblems(t: Translate, e: unknown): Problems {
  if (!isApiError(e)) return {};
  if (e.code === 'contact_field_exists') return { key: t('error.contact_field_exists') };
  if (e.code !== 'validation_failed') return {};
  const fields = Array.isArray(e.details.fields) ? (e.details.fields as { path?: string }[]) : [];
  const problems: Problems = {};
  for (const f of fields) {
    if (f.path?.startsWith('body/key')) problems.key = t('contactFieldSettings.invalid.key');
    if (f.path?.startsWith('body/label')) problems.label = t('contactFieldSettings.invalid.label');
    if (f.path?.startsWith('body/options')) problems.options = t('contactFieldSettings.invalid.options');
  }
  return problems;
}

function OptionsField({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={4}
        value={value}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <p id={`${id}-hint`} className="hint">
        {t('contactFieldSettings.optionsHint')}
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Settings → Contact fields: the custom fields agents fill in on each contact. */
export function ContactFieldsSection({ membership, workspaceId: ws }: SectionProps) {
  const { t } = useI18n();
  const fields = useContactFields(ws);
  const manage = can(membership.role, 'contact_fields.manage');
  return (
    <div className="stack">
      <p className="hint">{t('contactFieldSettings.intro')}</p>
      {!manage && <p className="hint">{t('settings.readOnly')}</p>}
      <QueryGate query={fields}>
        {(items) =>
          items.length === 0 ? (
            <p className="muted">{t('contactFieldSettings.none')}</p>
          ) : (
            <ul className="plain-list stack" aria-label={t('settings.contactFields')}>
              {items.map((f) => (
                <FieldRow key={f.id} ws={ws} field={f} manage={manage} />
              ))}
            </ul>
          )
        }
      </QueryGate>
      {manage && <NewFieldForm ws={ws} />}
    </div>
  );
}

function FieldRow({ ws, field, manage }: { ws: string; field: ContactField; manage: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [label, setLabel] = useState(field.label);
  const [options, setOptions] = useState(field.options.join('\n'));
  const [problems, setProblems] = useState<Problems>({});
  const refresh = () => qc.invalidateQueries({ queryKey: keys.contactFields(ws) });
  const update = useMutation({
    mutationFn: (body: { label?: string; options?: string[]; archived?: boolean }) =>
      api<ContactField>('PATCH', `/contact-fields/${field.id}`, { workspaceId: ws, body }),
    onSuccess: () => setEditing(false),
    onError: (e) => setProblems(serverProblems(t, e)),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => api<void>('DELETE', `/contact-fields/${field.id}`, { workspaceId: ws }),
    onSettled: refresh,
  });
  const showError = (e: unknown) => (Object.keys(serverProblems(t, e)).length > 0 ? null : e);
  return (
    <li className="contact-field-row">
      <div>
        <strong>{field.label}</strong> <code>{field.key}</code>
        <span className="block muted">
          {t(`contactFieldSettings.type.${field.type}`)}
          {field.type === 'select' && ` · ${field.options.join(', ')}`}
          {field.archived && ` · ${t('contactFieldSettings.archived')}`}
        </span>
        {field.archived && <span className="block hint">{t('contactFieldSettings.archivedHint')}</span>}
      </div>
      <ErrorAlert error={showError(update.error) ?? remove.error} />
      {manage && !editing && (
        <div className="button-row">
          <button
            type="button"
            className="button"
            aria-label={t('contactFieldSettings.editOf', { label: field.label })}
            onClick={() => {
              setLabel(field.label);
              setOptions(field.options.join('\n'));
              setProblems({});
              setEditing(true);
            }}
          >
            {t('contactFields.edit')}
          </button>
          <button
            type="button"
            className="button"
            disabled={update.isPending}
            aria-label={t(
              field.archived ? 'contactFieldSettings.restoreOf' : 'contactFieldSettings.archiveOf',
              {
                label: field.label,
              },
            )}
            onClick={() => update.mutate({ archived: !field.archived })}
          >
            {t(field.archived ? 'contactFieldSettings.restore' : 'contactFieldSettings.archive')}
          </button>
          <ConfirmButton
            label={t('common.remove')}
            accessibleLabel={t('contactFieldSettings.removeOf', { label: field.label })}
            question={t('contactFieldSettings.removeConfirm', { label: field.label })}
            confirmLabel={t('common.remove')}
            onConfirm={() => remove.mutate()}
          />
        </div>
      )}
      {manage && editing && (
        <form
          className="stack"
          aria-label={t('contactFieldSettings.editOf', { label: field.label })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setEditing(false);
          }}
          onSubmit={(e) => {
            e.preventDefault();
            const found = checkDefinition(t, { label, type: field.type, options });
            setProblems(found);
            if (Object.keys(found).length > 0) return;
            update.mutate({
              label: label.trim(),
              ...(field.type === 'select' ? { options: optionsOf(options) } : {}),
            });
          }}
        >
          <Field
            label={t('contactFieldSettings.label')}
            value={label}
            maxLength={LABEL_MAX}
            error={problems.label ?? null}
            onChange={(e) => setLabel(e.target.value)}
            autoFocus
          />
          {field.type === 'select' && (
            <OptionsField
              label={t('contactFieldSettings.options')}
              value={options}
              onChange={setOptions}
              error={problems.options}
            />
          )}
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={update.isPending}>
              {t('common.save')}
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

function NewFieldForm({ ws }: { ws: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const empty = { label: '', key: '', type: 'text' as ContactFieldType, options: '' };
  const [f, setF] = useState(empty);
  /** The key follows the label until someone types a key of their own. */
  const [keyTouched, setKeyTouched] = useState(false);
  const [problems, setProblems] = useState<Problems>({});
  const create = useMutation({
    mutationFn: () =>
      api<ContactField>('POST', '/contact-fields', {
        workspaceId: ws,
        body: {
          key: f.key,
          label: f.label.trim(),
          type: f.type,
          ...(f.type === 'select' ? { options: optionsOf(f.options) } : {}),
        },
      }),
    onSuccess: () => {
      setF(empty);
      setKeyTouched(false);
    },
    onError: (e) => setProblems(serverProblems(t, e)),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.contactFields(ws) }),
  });
  const unplaced =
    create.error && Object.keys(serverProblems(t, create.error)).length === 0 ? create.error : null;
  return (
    <form
      className="stack card"
      aria-labelledby="new-contact-field"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const found = checkDefinition(t, f);
        setProblems(found);
        if (Object.keys(found).length === 0) create.mutate();
      }}
    >
      <h3 id="new-contact-field">{t('contactFieldSettings.new')}</h3>
      <ErrorAlert error={unplaced} />
      <div className="row">
        <Field
          label={t('contactFieldSettings.label')}
          value={f.label}
          maxLength={LABEL_MAX}
          required
          error={problems.label ?? null}
          onChange={(e) => {
            const label = e.target.value;
            setF((x) => ({ ...x, label, key: keyTouched ? x.key : keyFromLabel(label) }));
          }}
        />
        <Field
          label={t('contactFieldSettings.key')}
          hint={t('contactFieldSettings.keyHint')}
          value={f.key}
          maxLength={40}
          required
          spellCheck={false}
          autoCapitalize="none"
          error={problems.key ?? null}
          onChange={(e) => {
            setKeyTouched(true);
            setF((x) => ({ ...x, key: e.target.value }));
          }}
        />
        <SelectField
          label={t('contactFieldSettings.type')}
          value={f.type}
          onChange={(e) => setF((x) => ({ ...x, type: e.target.value as ContactFieldType }))}
        >
          {TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`contactFieldSettings.type.${type}`)}
            </option>
          ))}
        </SelectField>
      </div>
      {f.type === 'select' && (
        <OptionsField
          label={t('contactFieldSettings.options')}
          value={f.options}
          onChange={(options) => setF((x) => ({ ...x, options }))}
          error={problems.options}
        />
      )}
      <div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {t('contactFieldSettings.create')}
        </button>
      </div>
    </form>
  );
}
