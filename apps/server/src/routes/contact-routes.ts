import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  createContactField,
  deleteContactField,
  listContactFields,
  updateContact,
  updateContactField,
  type Actor,
} from '@parley/core';
import { conversationStoresFor, type AppContext, type ConversationStores } from '../app-context.ts';
import { withWorkspace } from '../http/request-auth.ts';
import { errorResponses, NoContent, strict, Uuid } from '../http/schemas.ts';
import {
  ContactFieldKey,
  ContactFieldLabel,
  ContactFieldOptions,
  ContactFieldTypeSchema,
  ContactFieldView,
  contactFieldView,
  ContactView,
  contactView,
  UpdateContactBody,
} from '../http/contact-views.ts';

/**
 * Contacts' editable profile and the workspace's custom contact fields. Reading definitions needs
 * `conversations.read`, defining them `contact_fields.manage`, editing a contact `contacts.write`.
 * (GET /contacts/:contactId is with the conversations routes.)
 */
export function contactRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const config = { auth: 'workspace' } as const;
    const tags = ['contacts'];
    const within = <T>(req: FastifyRequest, fn: (s: ConversationStores, actor: Actor) => Promise<T>) =>
      withWorkspace(ctx, req, ({ tx, actor }) =>
        fn(conversationStoresFor(ctx, tx, actor.workspaceId), actor),
      );
    const FieldParams = Type.Object({ fieldId: Uuid }, strict);

    app.patch(
      '/contacts/:contactId',
      {
        config,
        schema: {
          tags,
          summary: "Correct a contact's name and set or clear custom field values",
          description:
            'Each key of `customFields` must name an active field (else 400 `unknown_contact_field`); each value must fit the field’s type (else 400 `invalid_field_value`, with the key in `details.fields`). Nothing is saved unless everything is valid.',
          params: Type.Object({ contactId: Uuid }, strict),
          body: UpdateContactBody,
          response: { 200: ContactView, ...errorResponses },
        },
      },
      async (req) =>
        within(req, async (stores, actor) =>
          contactView(
            await updateContact(stores, actor, {
              contactId: req.params.contactId,
              ...(req.body.name !== undefined ? { name: req.body.name } : {}),
              ...(req.body.customFields !== undefined ? { customFields: req.body.customFields } : {}),
              ip: req.ip,
            }),
          ),
        ),
    );

    app.get(
      '/contact-fields',
      {
        config,
        schema: {
          tags,
          summary: 'Custom contact fields of the workspace, archived ones included (oldest first)',
          response: { 200: Type.Object({ items: Type.Array(ContactFieldView) }), ...errorResponses },
        },
      },
      async (req) =>
        within(req, async (stores, actor) => ({
          items: (await listContactFields(stores, actor)).map(contactFieldView),
        })),
    );

    app.post(
      '/contact-fields',
      {
        config,
        schema: {
          tags,
          summary: 'Define a custom contact field (keys are unique in the workspace and never change)',
          body: Type.Object(
            {
              key: ContactFieldKey,
              label: ContactFieldLabel,
              type: ContactFieldTypeSchema,
              options: Type.Optional(ContactFieldOptions),
            },
            strict,
          ),
          response: { 201: ContactFieldView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const field = await within(req, (stores, actor) =>
          createContactField(stores, actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send(contactFieldView(field));
      },
    );

    app.patch(
      '/contact-fields/:fieldId',
      {
        config,
        schema: {
          tags,
          summary: "Relabel a field, change a select field's options, or archive / restore it",
          description:
            'Archived fields disappear from contacts and cannot be set; their values are kept until the field is deleted.',
          params: FieldParams,
          body: Type.Object(
            {
              label: Type.Optional(ContactFieldLabel),
              options: Type.Optional(ContactFieldOptions),
              archived: Type.Optional(Type.Boolean()),
            },
            strict,
          ),
          response: { 200: ContactFieldView, ...errorResponses },
        },
      },
      async (req) =>
        within(req, async (stores, actor) =>
          contactFieldView(
            await updateContactField(stores, actor, {
              ...req.body,
              fieldId: req.params.fieldId,
              ip: req.ip,
            }),
          ),
        ),
    );

    app.delete(
      '/contact-fields/:fieldId',
      {
        config,
        schema: {
          tags,
          summary: "Delete a field and every contact's value of it",
          params: FieldParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await within(req, (stores, actor) =>
          deleteContactField(stores, actor, { fieldId: req.params.fieldId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );
  };
}
