import type { SimContext } from '../context.ts';
import { GraphError, plainParameterError } from '../graph/graph-error.ts';
import { str, type Json } from '../json.ts';
import type { SimTemplate, SimWaba, TemplateStatus } from '../state/model.ts';
import { wabaTargets } from '../webhooks/targets.ts';
import { templateStatusPayload } from '../webhooks/whatsapp-payloads.ts';
import { normaliseComponents, reviewTemplate } from './template-review.ts';

const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
type Category = (typeof CATEGORIES)[number];

function category(value: unknown): Category {
  const upper = str(value)?.toUpperCase();
  const found = CATEGORIES.find((c) => c === upper);
  if (!found) throw plainParameterError('Param category must be one of {MARKETING, UTILITY, AUTHENTICATION}');
  return found;
}

/** Changes a template's status and tells subscribed apps (`message_template_status_update`). */
export function setTemplateStatus(
  ctx: SimContext,
  template: SimTemplate,
  status: TemplateStatus,
  reason = 'NONE',
  otherInfo?: { title: string; description: string },
): void {
  template.status = status;
  template.rejectedReason = status === 'REJECTED' ? reason : 'NONE';
  const waba = ctx.store.wabas.get(template.wabaId);
  if (!waba) return;
  const payload = templateStatusPayload(waba, template, status, reason, ctx.clock.now(), otherInfo);
  for (const target of wabaTargets(ctx.store, waba)) ctx.webhooks.enqueue(target, payload);
}

function scheduleReview(ctx: SimContext, template: SimTemplate): void {
  const createdAt = template.createdAt;
  ctx.scheduler.after(ctx.timing.reviewMs, () => {
    // Edited or deleted meanwhile: that version's review is void.
    if (
      template.status !== 'PENDING' ||
      template.createdAt !== createdAt ||
      !ctx.store.templates.has(template.id)
    )
      return;
    const result = reviewTemplate(template);
    setTemplateStatus(ctx, template, result.status, result.reason);
  });
}

/** `POST /{waba-id}/message_templates`. */
export function createTemplate(ctx: SimContext, waba: SimWaba, body: Json): Json {
  const name = str(body.name);
  if (!name) throw plainParameterError('The parameter name is required.');
  const language = str(body.language);
  if (!language) throw plainParameterError('The parameter language is required.');
  const cat = category(body.category);
  const components = normaliseComponents(body.components);
  if (!components || components.length === 0)
    throw plainParameterError('The parameter components is required.');
  if (!components.some((c) => c.type === 'BODY'))
    throw plainParameterError('Param components must contain a BODY component.');
  const format = str(body.parameter_format)?.toUpperCase() ?? 'POSITIONAL';
  if (format !== 'POSITIONAL' && format !== 'NAMED')
    throw plainParameterError('Param parameter_format must be one of {POSITIONAL, NAMED}');
  for (const t of ctx.store.templates.values()) {
    if (t.wabaId === waba.id && t.name === name && t.language === language) {
      throw new GraphError(400, 100, 'Invalid parameter', {
        subcode: 2388024,
        userTitle: 'Content in this language already exists',
        userMsg: `The template ${name} already has content in ${language}. Edit it or pick another name.`,
      });
    }
  }
  const template: SimTemplate = {
    id: ctx.ids.numeric(),
    wabaId: waba.id,
    name,
    language,
    category: cat,
    parameterFormat: format,
    components,
    status: 'PENDING',
    rejectedReason: 'NONE',
    qualityScore: 'UNKNOWN',
    createdAt: Date.now(),
  };
  ctx.store.templates.set(template.id, template);
  scheduleReview(ctx, template);
  return { id: template.id, status: 'PENDING', category: cat };
}

/** `POST /{template-id}`: edit components/category; the template goes back to review. */
export function editTemplate(ctx: SimContext, template: SimTemplate, body: Json): Json {
  const components = body.components === undefined ? undefined : normaliseComponents(body.components);
  if (body.components !== undefined && !components)
    throw plainParameterError('Param components is not valid.');
  if (components) template.components = components;
  if (body.category !== undefined) template.category = category(body.category);
  if (body.parameter_format !== undefined) {
    const format = str(body.parameter_format)?.toUpperCase();
    if (format !== 'POSITIONAL' && format !== 'NAMED')
      throw plainParameterError('Param parameter_format must be one of {POSITIONAL, NAMED}');
    template.parameterFormat = format;
  }
  template.status = 'PENDING';
  template.createdAt = Date.now() + Math.random();
  scheduleReview(ctx, template);
  return { success: true };
}

/** `DELETE /{waba-id}/message_templates?name=..[&hsm_id=..]`: all languages of the name (or one id). */
export function deleteTemplates(
  ctx: SimContext,
  waba: SimWaba,
  name: string | undefined,
  hsmId: string | undefined,
): Json {
  if (!name) throw plainParameterError('The parameter name is required.');
  let deleted = 0;
  for (const [id, t] of ctx.store.templates) {
    if (t.wabaId !== waba.id || t.name !== name) continue;
    if (hsmId !== undefined && id !== hsmId) continue;
    ctx.store.templates.delete(id);
    deleted += 1;
  }
  if (deleted === 0) {
    throw new GraphError(400, 100, 'Invalid parameter', {
      subcode: 2593002,
      userTitle: 'Message template not found',
      userMsg: `There is no message template named ${name}.`,
    });
  }
  return { success: true };
}

const ALL_FIELDS = ['name', 'components', 'language', 'status', 'category', 'id', 'parameter_format'];

/** The REST representation (ids as strings). */
export function templateJson(template: SimTemplate, fields?: string[]): Json {
  const full: Json = {
    name: template.name,
    parameter_format: template.parameterFormat,
    components: template.components,
    language: template.language,
    status: template.status,
    category: template.category,
    id: template.id,
    quality_score: { score: template.qualityScore, date: Math.floor(template.createdAt / 1000) },
    rejected_reason: template.rejectedReason,
  };
  const wanted = fields && fields.length > 0 ? fields : ALL_FIELDS;
  const out: Json = {};
  for (const f of wanted) if (f in full) out[f] = full[f];
  out.id = template.id;
  return out;
}

/** `GET /{waba-id}/message_templates` with filters and cursor paging. */
export function listTemplates(
  ctx: SimContext,
  waba: SimWaba,
  query: Record<string, string>,
  baseUrl: string,
): Json {
  const fields = query.fields
    ? query.fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : undefined;
  const limit = Math.min(Math.max(Number(query.limit ?? 25) || 25, 1), 1000);
  let list = [...ctx.store.templates.values()].filter((t) => t.wabaId === waba.id);
  if (query.name) list = list.filter((t) => t.name.includes(query.name ?? ''));
  if (query.status) list = list.filter((t) => t.status === query.status?.toUpperCase());
  if (query.category) list = list.filter((t) => t.category === query.category?.toUpperCase());
  if (query.language) list = list.filter((t) => t.language === query.language);
  const decode = (cursor: string | undefined): number => {
    if (!cursor) return 0;
    const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Number.isInteger(n) && n >= 0 ? n : 0;
  };
  const encode = (n: number): string => Buffer.from(String(n)).toString('base64url');
  const start = query.after
    ? decode(query.after)
    : query.before
      ? Math.max(0, decode(query.before) - limit)
      : 0;
  const page = list.slice(start, start + limit);
  const result: Json = { data: page.map((t) => templateJson(t, fields)) };
  if (page.length > 0) {
    const paging: Json = { cursors: { before: encode(start), after: encode(start + page.length) } };
    const url = (cursorName: string, value: string): string => {
      const params = new URLSearchParams({ ...query, limit: String(limit) });
      params.delete('after');
      params.delete('before');
      params.delete('access_token');
      params.set(cursorName, value);
      return `${baseUrl}/${ctx.apiVersion}/${waba.id}/message_templates?${params.toString()}`;
    };
    if (start + page.length < list.length) paging.next = url('after', encode(start + page.length));
    if (start > 0) paging.previous = url('before', encode(start));
    result.paging = paging;
  }
  return result;
}
