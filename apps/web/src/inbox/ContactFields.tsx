import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { api, isApiError } from '../api/client.ts';
import type { Contact, ContactField, ContactFieldValue } from '../api/inbox-types.ts';
import { useI18n, type Translate } from '../i18n/index.tsx';
import { describeError } from '../ui/errors.ts';
import { keys, useContactFields } from './data.ts';

type Patch = { name?: string | null; customFields?: Record<string, ContactFieldValue | null> };

/** Saves a contact edit and puts the answer in the caches (the name shows in the conversation list too). */
function useContactPatch(ws: string, contactId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Patch) => api<Contact>('PATCH', `/contacts/${contactId}`, { workspaceId: ws, body }),
    onSuccess: (contact, body) => {
      qc.setQueryData(keys.contact(ws, contactId), contact);
      if (body.name !== undefined) {
        void qc.invalidateQueries({ queryKey: keys.conversations(ws) });
        void qc.invalidateQueries({ queryKey: ['conversation', ws] });
      }
    },
  });
}

/** What the draft of an editor means: a value to save, `null` to clear, or a problem to show. */
type Parsed = { ok: true; value: ContactFieldValue | null } | { ok: false; error: string };

interface EditorProps {
  /** The field's name, shown in the list and given to the input. */
  label: string;
  /** The value as read. */
  display: ReactNode;
  /** The draft an edit starts from. */
  initial: string;
  input: (p: {
    id: string;
    value: string;
    onChange: (v: string) => void;
    describedBy: string | undefined;
    invalid: boolean;
  }) => ReactNode;
  parse: (draft: string) => Parsed;
  save: (value: ContactFieldValue | null) => Promise<unknown>;
  /** A sentence for a refusal from the server. */
  describe: (e: unknown) => string;
}

/**
 * A value in a description list that edits in place: "Edit" opens a small form (Enter saves,
 * Escape cancels), the focus moves into it and back to "Edit" after; problems are announced next
 * to the input.
 */
function InlineEditor({ label, display, initial, input, parse, save, describe }: EditorProps) {
  const { t } = useI18n();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const editRef = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    if (editing) formRef.current?.querySelector<HTMLElement>('input, select')?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      editRef.current?.focus();
    }
  }, [editing]);
  const close = () => {
    returnFocus.current = true;
    setEditing(false);
    setError(null);
  };
  const errorId = `${id}-error`;
  return (
    <>
      <dt>{label}</dt>
      <dd className="inline-edit">
        {!editing ? (
          <>
            <span className="inline-edit-value">{display}</span>
            <button
              ref={editRef}
              type="button"
              className="button button-small"
              aria-label={t('contactFields.editOf', { label })}
              onClick={() => {
                setDraft(initial);
                setSaved(false);
                setEditing(true);
              }}
            >
              {t('contactFields.edit')}
            </button>
            {saved && (
              <span className="visually-hidden" role="status">
                {t('contactFields.saved', { label })}
              </span>
            )}
          </>
        ) : (
          <form
            ref={formRef}
            className="inline-edit-form"
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                close();
              }
            }}
            onSubmit={(e) => {
              e.preventDefault();
              const parsed = parse(draft);
              if (!parsed.ok) {
                setError(parsed.error);
                return;
              }
              setSaving(true);
              save(parsed.value).then(
                () => {
                  setSaving(false);
                  setSaved(true);
                  close();
                },
                (err: unknown) => {
                  setSaving(false);
                  setError(describe(err));
                },
              );
            }}
          >
            <label htmlFor={id} className="visually-hidden">
              {label}
            </label>
            {input({
              id,
              value: draft,
              onChange: (v) => {
                setDraft(v);
                setError(null);
              },
              describedBy: error ? errorId : undefined,
              invalid: !!error,
            })}
            <div className="button-row">
              <button type="submit" className="button button-primary button-small" disabled={saving}>
                {saving ? t('common.saving') : t('common.save')}
              </button>
              <button type="button" className="button button-small" onClick={close}>
                {t('common.cancel')}
              </button>
            </div>
            {error && (
              <p id={errorId} className="field-error" role="alert">
                {error}
              </p>
            )}
          </form>
        )}
      </dd>
    </>
  );
}

const TEXT_MAX = 1000;
const NAME_MAX = 200;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A value as people read it. */
export function formatFieldValue(t: Translate, field: ContactField, value: ContactFieldValue): string {
  if (field.type === 'boolean') return value ? t('contactFields.yes') : t('contactFields.no');
  if (field.type === 'number' && typeof value === 'number') return value.toLocaleString();
  if (field.type === 'date' && typeof value === 'string' && DATE.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return new Date(y ?? 0, (m ?? 1) - 1, d ?? 1).toLocaleDateString(undefined, { dateStyle: 'medium' });
  }
  return String(value);
}

function invalidMessage(t: Translate, field: ContactField): string {
  return t(`contactFields.invalid.${field.type}`, { max: TEXT_MAX });
}

function parseDraft(t: Translate, field: ContactField, draft: string): Parsed {
  const bad = { ok: false as const, error: invalidMessage(t, field) };
  const text = draft.trim();
  if (text === '') return { ok: true, value: null };
  switch (field.type) {
    case 'text':
      return text.length > TEXT_MAX ? bad : { ok: true, value: text };
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? { ok: true, value: n } : bad;
    }
    case 'date':
      return DATE.test(text) ? { ok: true, value: text } : bad;
    case 'boolean':
      return { ok: true, value: text === 'true' };
    case 'select':
      return field.options.includes(draft) ? { ok: true, value: draft } : bad;
  }
}

function FieldInput({
  field,
  id,
  value,
  onChange,
  describedBy,
  invalid,
}: {
  field: ContactField;
  id: string;
  value: string;
  onChange: (v: string) => void;
  describedBy: string | undefined;
  invalid: boolean;
}) {
  const { t } = useI18n();
  const common = {
    id,
    value,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
  };
  if (field.type === 'boolean' || field.type === 'select') {
    return (
      <select {...common} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('contactFields.notSet')}</option>
        {field.type === 'boolean' ? (
          <>
            <option value="true">{t('contactFields.yes')}</option>
            <option value="false">{t('contactFields.no')}</option>
          </>
        ) : (
          field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))
        )}
      </select>
    );
  }
  return (
    <input
      {...common}
      type={field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text'}
      step={field.type === 'number' ? 'any' : undefined}
      inputMode={field.type === 'number' ? 'decimal' : undefined}
      maxLength={field.type === 'text' ? TEXT_MAX : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** A refusal from the server in plain words, for the field being edited. */
function refusal(t: Translate, field: ContactField | null, e: unknown): string {
  if (isApiError(e) && e.code === 'invalid_field_value' && field) return invalidMessage(t, field);
  if (isApiError(e) && e.code === 'validation_failed' && !field) return t('contactFields.invalid.name');
  return describeError(t, e);
}

/** The contact's display name, which agents correct in place. */
export function ContactNameEditor({ ws, contact }: { ws: string; contact: Contact }) {
  const { t } = useI18n();
  const patch = useContactPatch(ws, contact.id);
  return (
    <InlineEditor
      label={t('contact.name')}
      display={contact.name ?? <span className="muted">{t('contact.unnamed')}</span>}
      initial={contact.name ?? ''}
      input={({ id, value, onChange, describedBy, invalid }) => (
        <input
          id={id}
          value={value}
          maxLength={NAME_MAX}
          autoComplete="off"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      parse={(draft) =>
        draft.trim().length > NAME_MAX
          ? { ok: false, error: t('contactFields.invalid.name') }
          : { ok: true, value: draft.trim() === '' ? null : draft.trim() }
      }
      save={(value) => patch.mutateAsync({ name: value as string | null })}
      describe={(e) => refusal(t, null, e)}
    />
  );
}

/** The workspace's custom fields for this contact, each edited in place. */
export function ContactCustomFields({ ws, contact }: { ws: string; contact: Contact }) {
  const { t } = useI18n();
  const fields = useContactFields(ws);
  const patch = useContactPatch(ws, contact.id);
  const active = (fields.data ?? []).filter((f) => !f.archived);
  if (fields.isPending) return null;
  if (active.length === 0) return <p className="hint">{t('contactFields.none')}</p>;
  return (
    <dl className="details contact-fields">
      {active.map((field) => {
        const value = contact.customFields[field.key];
        return (
          <InlineEditor
            key={field.id}
            label={field.label}
            display={
              value === undefined ? (
                <span className="muted">{t('contactFields.notSet')}</span>
              ) : (
                formatFieldValue(t, field, value)
              )
            }
            initial={value === undefined ? '' : String(value)}
            input={(p) => <FieldInput field={field} {...p} />}
            parse={(draft) => parseDraft(t, field, draft)}
            save={(v) => patch.mutateAsync({ customFields: { [field.key]: v } })}
            describe={(e) => refusal(t, field, e)}
          />
        );
      })}
    </dl>
  );
}
