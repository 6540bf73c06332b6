import { Type } from 'typebox';
import {
  CONTACT_FIELD_LABEL_MAX,
  CONTACT_FIELD_OPTION_MAX,
  CONTACT_FIELD_OPTIONS_MAX,
  CONTACT_FIELD_TEXT_MAX,
  CONTACT_NAME_MAX,
  type ContactFieldDefinition,
  type ContactProfile,
} from '@parley/core';
import { NullableTimestamp, strict, Timestamp, Uuid } from './schemas.ts';

/** API shapes and views of contacts and their custom fields. */

export const ContactFieldKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}$',
  description: 'Stable name of the field: a lowercase letter, then up to 39 lowercase letters, digits or _',
});
export const ContactFieldTypeSchema = Type.Union(
  [
    Type.Literal('text'),
    Type.Literal('number'),
    Type.Literal('date'),
    Type.Literal('boolean'),
    Type.Literal('select'),
  ],
  { description: 'text, number, date (YYYY-MM-DD), boolean, or select (one of `options`)' },
);
export const ContactFieldLabel = Type.String({ minLength: 1, maxLength: CONTACT_FIELD_LABEL_MAX });
export const ContactFieldOptions = Type.Array(
  Type.String({ minLength: 1, maxLength: CONTACT_FIELD_OPTION_MAX }),
  { maxItems: CONTACT_FIELD_OPTIONS_MAX, description: 'The choices of a select field (only select fields)' },
);

export const ContactFieldView = Type.Object({
  id: Uuid,
  key: Type.String(),
  label: Type.String(),
  type: ContactFieldTypeSchema,
  options: Type.Array(Type.String()),
  archived: Type.Boolean(),
  archivedAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const contactFieldView = (f: ContactFieldDefinition) => ({
  id: f.id,
  key: f.key,
  label: f.label,
  type: f.type,
  options: f.options,
  archived: f.archivedAt !== null,
  archivedAt: f.archivedAt ? f.archivedAt.toISOString() : null,
  createdAt: f.createdAt.toISOString(),
});

const FieldValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const ContactView = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  identities: Type.Array(
    Type.Object({
      channelId: Uuid,
      externalId: Type.String(),
      profileName: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  customFields: Type.Record(Type.String(), FieldValue, {
    description: 'Values of the workspace’s active custom fields, by key (unset fields are absent)',
  }),
  createdAt: Timestamp,
});

export const contactView = ({ contact, identities, customFields }: ContactProfile) => ({
  id: contact.id,
  name: contact.name,
  phone: contact.phone,
  identities: identities.map((i) => ({
    channelId: i.channelId,
    externalId: i.externalId,
    profileName: i.profileName,
  })),
  customFields,
  createdAt: contact.createdAt.toISOString(),
});

export const UpdateContactBody = Type.Object(
  {
    name: Type.Optional(
      Type.Union([Type.String({ maxLength: CONTACT_NAME_MAX }), Type.Null()], {
        description: 'The display name; null or blank clears it',
      }),
    ),
    customFields: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 64 }),
        Type.Union([
          Type.String({ maxLength: CONTACT_FIELD_TEXT_MAX * 2 }),
          Type.Number(),
          Type.Boolean(),
          Type.Null(),
        ]),
        {
          maxProperties: 100,
          description:
            'Values by field key, checked against each field’s type; null (or blank text) clears a value. Keys not named are left as they are.',
        },
      ),
    ),
  },
  strict,
);
