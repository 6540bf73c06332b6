import type { AuditStore } from '../privacy/audit-store.ts';
import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { actorAuditEntry, authorize, type Actor } from '../workspaces/actor.ts';
import type { ContactIdentity, ContactRecord } from './model.ts';
import type { ContactStore } from './ports.ts';

/**
 * Custom contact fields: the workspace defines them (key, label, type), agents fill them in per
 * contact. Values are personal data: the store keeps them encrypted.
 */

export const CONTACT_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'select'] as const;
export type ContactFieldType = (typeof CONTACT_FIELD_TYPES)[number];

/** A field's value as the API carries it: text, date (YYYY-MM-DD) and select are strings. */
export type ContactFieldValue = string | number | boolean;

export const CONTACT_FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const CONTACT_FIELD_LABEL_MAX = 80;
export const CONTACT_FIELD_OPTION_MAX = 80;
export const CONTACT_FIELD_OPTIONS_MAX = 50;
export const CONTACT_FIELD_TEXT_MAX = 1000;
export const CONTACT_NAME_MAX = 200;
/** Definitions per workspace, archived ones included. */
export const CONTACT_FIELDS_MAX = 50;

export interface ContactFieldDefinition {
  id: string;
  workspaceId: string;
  key: string;
  label: string;
  type: ContactFieldType;
  /** The choices of a `select` field, in order; empty for the other types. */
  options: string[];
  archivedAt: Date | null;
  createdAt: Date;
}

export interface ContactFieldStore {
  /** Oldest first. */
  list(): Promise<ContactFieldDefinition[]>;
  get(id: string): Promise<ContactFieldDefinition | null>;
  count(): Promise<number>;
  /** Throws `contact_field_exists` when the key is taken in the workspace. */
  insert(field: Omit<ContactFieldDefinition, 'createdAt' | 'archivedAt'>): Promise<void>;
  update(
    id: string,
    patch: Partial<Pick<ContactFieldDefinition, 'label' | 'options' | 'archivedAt'>>,
  ): Promise<void>;
  /** Deletes the definition and every contact's value of it. */
  delete(id: string): Promise<boolean>;
  /** The contact's values, by field id (decrypted). */
  values(contactId: string): Promise<Map<string, ContactFieldValue>>;
  setValue(contactId: string, fieldId: string, value: ContactFieldValue): Promise<void>;
  clearValue(contactId: string, fieldId: string): Promise<void>;
}

function invalid(path: string, problem: string, message: string): DomainError {
  return new DomainError('validation_failed', message, { fields: [{ path, problem }] });
}

function fieldKey(key: string): string {
  if (!CONTACT_FIELD_KEY.test(key)) {
    throw invalid(
      'body/key',
      'must start with a lowercase letter and be at most 40 lowercase letters, digits or _',
      'A field key is a lowercase letter followed by up to 39 lowercase letters, digits or _.',
    );
  }
  return key;
}

function fieldLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed === '') throw invalid('body/label', 'must not be blank', 'A field needs a label.');
  if (trimmed.length > CONTACT_FIELD_LABEL_MAX) {
    throw invalid(
      'body/label',
      `must be at most ${CONTACT_FIELD_LABEL_MAX} characters`,
      `A field label is at most ${CONTACT_FIELD_LABEL_MAX} characters.`,
    );
  }
  return trimmed;
}

function fieldType(type: string): ContactFieldType {
  if (!(CONTACT_FIELD_TYPES as readonly string[]).includes(type)) {
    throw invalid(
      'body/type',
      `must be one of ${CONTACT_FIELD_TYPES.join(', ')}`,
      `A field type is one of ${CONTACT_FIELD_TYPES.join(', ')}.`,
    );
  }
  return type as ContactFieldType;
}

/** The options of a field of `type`: required (and unique) for select, absent for the rest. */
function fieldOptions(type: ContactFieldType, options: string[] | undefined): string[] {
  if (type !== 'select') {
    if (options !== undefined && options.length > 0) {
      throw invalid('body/options', 'only select fields have options', 'Only select fields have options.');
    }
    return [];
  }
  const list = (options ?? []).map((o) => o.trim());
  if (list.length === 0 || list.length > CONTACT_FIELD_OPTIONS_MAX) {
    throw invalid(
      'body/options',
      `must list 1 to ${CONTACT_FIELD_OPTIONS_MAX} options`,
      `A select field has 1 to ${CONTACT_FIELD_OPTIONS_MAX} options.`,
    );
  }
  const seen = new Set<string>();
  for (const [i, option] of list.entries()) {
    if (option === '' || option.length > CONTACT_FIELD_OPTION_MAX) {
      throw invalid(
        `body/options/${i}`,
        `must be 1 to ${CONTACT_FIELD_OPTION_MAX} characters`,
        `Each option is 1 to ${CONTACT_FIELD_OPTION_MAX} characters.`,
      );
    }
    if (seen.has(option.toLowerCase())) {
      throw invalid(`body/options/${i}`, 'is listed twice', `The option "${option}" is listed twice.`);
    }
    seen.add(option.toLowerCase());
  }
  return list;
}

async function loadField(deps: { contactFields: ContactFieldStore }, id: string) {
  const field = await deps.contactFields.get(id);
  if (!field) throw new DomainError('not_found', 'Contact field not found.');
  return field;
}

type ManageDeps = { contactFields: ContactFieldStore; audit: AuditStore };

/** Every definition, archived ones included (oldest first). */
export async function listContactFields(
  deps: { contactFields: ContactFieldStore },
  actor: Actor,
): Promise<ContactFieldDefinition[]> {
  authorize(actor, 'conversations.read');
  return deps.contactFields.list();
}

export async function createContactField(
  deps: ManageDeps,
  actor: Actor,
  input: { key: string; label: string; type: string; options?: string[]; ip: string | null },
): Promise<ContactFieldDefinition> {
  authorize(actor, 'contact_fields.manage');
  const type = fieldType(input.type);
  const field = {
    id: newId(),
    workspaceId: actor.workspaceId,
    key: fieldKey(input.key),
    label: fieldLabel(input.label),
    type,
    options: fieldOptions(type, input.options),
  };
  if ((await deps.contactFields.count()) >= CONTACT_FIELDS_MAX) {
    throw new DomainError(
      'contact_field_limit_reached',
      `A workspace has at most ${CONTACT_FIELDS_MAX} contact fields; delete one you no longer use.`,
    );
  }
  await deps.contactFields.insert(field);
  await deps.audit.append(
    actorAuditEntry(actor, 'contact_field.created', { type: 'contact_field', id: field.id }, input.ip, {
      key: field.key,
      type: field.type,
    }),
  );
  return loadField(deps, field.id);
}

/**
 * Relabels a field, changes a select field's options, or archives / restores it. Key and type
 * never change (integrations and stored values depend on them). Values that hold an option
 * since removed are kept as they are.
 */
export async function updateContactField(
  deps: ManageDeps,
  actor: Actor,
  input: { fieldId: string; label?: string; options?: string[]; archived?: boolean; ip: string | null },
): Promise<ContactFieldDefinition> {
  authorize(actor, 'contact_fields.manage');
  const field = await loadField(deps, input.fieldId);
  const patch: Partial<Pick<ContactFieldDefinition, 'label' | 'options' | 'archivedAt'>> = {};
  if (input.label !== undefined) {
    const label = fieldLabel(input.label);
    if (label !== field.label) patch.label = label;
  }
  if (input.options !== undefined) {
    const options = fieldOptions(field.type, input.options);
    if (JSON.stringify(options) !== JSON.stringify(field.options)) patch.options = options;
  }
  if (input.archived !== undefined && input.archived !== (field.archivedAt !== null)) {
    patch.archivedAt = input.archived ? new Date() : null;
  }
  if (Object.keys(patch).length === 0) return field;
  await deps.contactFields.update(field.id, patch);
  const metadata: Record<string, unknown> = { key: field.key };
  if (patch.label !== undefined) metadata.label = patch.label;
  if (patch.options !== undefined) metadata.options = patch.options;
  if (patch.archivedAt !== undefined) metadata.archived = patch.archivedAt !== null;
  await deps.audit.append(
    actorAuditEntry(
      actor,
      'contact_field.updated',
      { type: 'contact_field', id: field.id },
      input.ip,
      metadata,
    ),
  );
  return loadField(deps, field.id);
}

/** Deletes a field and every contact's value of it (archive it instead to keep the values). */
export async function deleteContactField(
  deps: ManageDeps,
  actor: Actor,
  input: { fieldId: string; ip: string | null },
): Promise<void> {
  authorize(actor, 'contact_fields.manage');
  const field = await loadField(deps, input.fieldId);
  if (!(await deps.contactFields.delete(field.id))) {
    throw new DomainError('not_found', 'Contact field not found.');
  }
  await deps.audit.append(
    actorAuditEntry(actor, 'contact_field.deleted', { type: 'contact_field', id: field.id }, input.ip, {
      key: field.key,
    }),
  );
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function badValue(key: string, problem: string, message: string): DomainError {
  return new DomainError('invalid_field_value', message, {
    fields: [{ path: `body/customFields/${key}`, field: key, problem }],
  });
}

/**
 * A value checked against its field's type, normalized (text trimmed). `null` clears the value;
 * so does blank text.
 */
export function checkContactFieldValue(
  field: Pick<ContactFieldDefinition, 'key' | 'label' | 'type' | 'options'>,
  value: unknown,
): ContactFieldValue | null {
  if (value === null) return null;
  const { key, label } = field;
  switch (field.type) {
    case 'text': {
      if (typeof value !== 'string') throw badValue(key, 'must be text', `${label} must be text.`);
      const trimmed = value.trim();
      if (trimmed.length > CONTACT_FIELD_TEXT_MAX) {
        throw badValue(
          key,
          `must be at most ${CONTACT_FIELD_TEXT_MAX} characters`,
          `${label} must be at most ${CONTACT_FIELD_TEXT_MAX} characters.`,
        );
      }
      return trimmed === '' ? null : trimmed;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 1e15) {
        throw badValue(key, 'must be a number', `${label} must be a number.`);
      }
      return value;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) {
        throw badValue(key, 'must be a date (YYYY-MM-DD)', `${label} must be a date (YYYY-MM-DD).`);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean')
        throw badValue(key, 'must be true or false', `${label} must be yes or no.`);
      return value;
    case 'select':
      if (typeof value !== 'string' || !field.options.includes(value)) {
        throw badValue(
          key,
          `must be one of the field's options`,
          `${label} must be one of: ${field.options.join(', ')}.`,
        );
      }
      return value;
  }
}

export interface ContactProfile {
  contact: ContactRecord;
  identities: ContactIdentity[];
  /** Values of the workspace's active fields, by key (archived fields' values are kept, not shown). */
  customFields: Record<string, ContactFieldValue>;
}

type ProfileDeps = { contacts: ContactStore; contactFields: ContactFieldStore };

async function profileOf(deps: ProfileDeps, contact: ContactRecord): Promise<ContactProfile> {
  const [identities, fields, values] = await Promise.all([
    deps.contacts.identities(contact.id),
    deps.contactFields.list(),
    deps.contactFields.values(contact.id),
  ]);
  const customFields: Record<string, ContactFieldValue> = {};
  for (const field of fields) {
    const value = values.get(field.id);
    if (field.archivedAt === null && value !== undefined) customFields[field.key] = value;
  }
  return { contact, identities, customFields };
}

async function loadContact(deps: { contacts: ContactStore }, id: string): Promise<ContactRecord> {
  const contact = await deps.contacts.get(id);
  if (!contact) throw new DomainError('not_found', 'Contact not found.');
  return contact;
}

/** A contact: profile, how they are reached on each channel, and their custom field values. */
export async function getContactProfile(
  deps: ProfileDeps,
  actor: Actor,
  id: string,
): Promise<ContactProfile> {
  authorize(actor, 'conversations.read');
  return profileOf(deps, await loadContact(deps, id));
}

/**
 * Corrects a contact's display name and sets or clears custom field values (`null` clears).
 * Every key must name an active field; nothing is written unless every value is valid. The audit
 * entry names what changed, never the values (they are personal data).
 */
export async function updateContact(
  deps: ProfileDeps & { audit: AuditStore },
  actor: Actor,
  input: {
    contactId: string;
    name?: string | null;
    customFields?: Record<string, unknown>;
    ip: string | null;
  },
): Promise<ContactProfile> {
  authorize(actor, 'contacts.write');
  const contact = await loadContact(deps, input.contactId);
  let name: string | null | undefined;
  if (input.name !== undefined) {
    name = input.name === null ? null : input.name.trim();
    if (name === '') name = null;
    if (name !== null && name.length > CONTACT_NAME_MAX) {
      throw invalid(
        'body/name',
        `must be at most ${CONTACT_NAME_MAX} characters`,
        `A name is at most ${CONTACT_NAME_MAX} characters.`,
      );
    }
  }
  const changes: { field: ContactFieldDefinition; value: ContactFieldValue | null }[] = [];
  const entries = Object.entries(input.customFields ?? {});
  if (entries.length > 0) {
    const byKey = new Map((await deps.contactFields.list()).map((f) => [f.key, f]));
    for (const [key, raw] of entries) {
      const field = byKey.get(key);
      if (!field || field.archivedAt !== null) {
        throw new DomainError(
          'unknown_contact_field',
          field ? `The field "${key}" is archived.` : `There is no contact field "${key}".`,
          {
            fields: [
              {
                path: `body/customFields/${key}`,
                field: key,
                problem: field ? 'is archived' : 'no such field',
              },
            ],
          },
        );
      }
      changes.push({ field, value: checkContactFieldValue(field, raw) });
    }
  }
  const nameChanged = name !== undefined && name !== contact.name;
  if (nameChanged) await deps.contacts.updateName(contact.id, name ?? null);
  const current = changes.length > 0 ? await deps.contactFields.values(contact.id) : new Map();
  const changedKeys: string[] = [];
  for (const { field, value } of changes) {
    const before = current.get(field.id);
    if (value === null) {
      if (before === undefined) continue;
      await deps.contactFields.clearValue(contact.id, field.id);
    } else {
      if (before === value) continue;
      await deps.contactFields.setValue(contact.id, field.id, value);
    }
    changedKeys.push(field.key);
  }
  if (nameChanged || changedKeys.length > 0) {
    await deps.audit.append(
      actorAuditEntry(actor, 'contact.updated', { type: 'contact', id: contact.id }, input.ip, {
        ...(nameChanged ? { name: true } : {}),
        ...(changedKeys.length > 0 ? { customFields: changedKeys } : {}),
      }),
    );
  }
  return profileOf(deps, nameChanged ? { ...contact, name: name ?? null } : contact);
}
