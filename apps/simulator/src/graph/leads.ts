import type { SimContext } from '../context.ts';
import type { Json } from '../json.ts';
import type { SimLead, SimLeadForm } from '../state/model.ts';

function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** `GET /{leadgen-id}?fields=...`. */
export function leadJson(lead: SimLead, fields?: string): Json {
  const full: Json = {
    created_time: isoTime(lead.createdAt),
    id: lead.id,
    form_id: lead.formId,
    field_data: lead.fieldData,
    is_organic: lead.isOrganic,
    platform: lead.platform,
  };
  if (lead.adId) full.ad_id = lead.adId;
  if (lead.adgroupId) full.adset_id = lead.adgroupId;
  if (lead.campaignId) full.campaign_id = lead.campaignId;
  const wanted = fields ? fields.split(',').map((f) => f.trim()) : ['created_time', 'id', 'field_data'];
  const out: Json = {};
  for (const f of wanted) if (f in full) out[f] = full[f];
  out.id = lead.id;
  return out;
}

export function formLeads(ctx: SimContext, form: SimLeadForm, fields?: string): Json {
  const data = [...ctx.store.leads.values()]
    .filter((l) => l.formId === form.id)
    .map((l) => leadJson(l, fields));
  return { data };
}

export function leadFormJson(form: SimLeadForm): Json {
  return {
    id: form.id,
    name: form.name,
    status: 'ACTIVE',
    questions: form.questions.map((q) => ({ key: q.key, label: q.label, type: q.type })),
  };
}
