/**
 * The WhatsApp templates the template picker offers.
 *
 * TEMPORARY: Parley has no template API yet. This static list matches the simulator's approved demo
 * templates (docs/simulator.md "Default seed"). It is replaced by templates synced from Meta when
 * the templates issue lands; nothing else in the app should know these names.
 */
export interface TemplateVariable {
  /** Where the value goes: body {{1}} / {{name}}, a URL button's {{1}}, or a header image link. */
  component: 'body' | 'button' | 'header';
  /** Positional ("1") or named ("first_name"). */
  key: string;
  /** What the agent sees in the form. */
  label: string;
  example: string;
  kind: 'text' | 'image';
}

export interface KnownTemplate {
  name: string;
  language: string;
  category: 'UTILITY' | 'MARKETING';
  named: boolean;
  header: { text?: string; image?: boolean } | null;
  body: string;
  footer: string | null;
  buttons: { type: 'URL' | 'QUICK_REPLY'; text: string; url?: string }[];
  variables: TemplateVariable[];
}

export const KNOWN_TEMPLATES: KnownTemplate[] = [
  {
    name: 'hello_world',
    language: 'en_US',
    category: 'UTILITY',
    named: false,
    header: { text: 'Hello World' },
    body: 'Welcome and congratulations!! This message comes from the Parley simulator.',
    footer: 'WhatsApp Business Platform sample message',
    buttons: [],
    variables: [],
  },
  {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    named: false,
    header: null,
    body: 'Hi {{1}}, your order {{2}} is on its way.',
    footer: null,
    buttons: [{ type: 'URL', text: 'Track order', url: 'https://example.com/track/{{1}}' }],
    variables: [
      { component: 'body', key: '1', label: '{{1}}', example: 'Ana', kind: 'text' },
      { component: 'body', key: '2', label: '{{2}}', example: 'A-991', kind: 'text' },
      { component: 'button', key: '1', label: 'Track order {{1}}', example: 'A-991', kind: 'text' },
    ],
  },
  {
    name: 'weekly_offer',
    language: 'en_US',
    category: 'MARKETING',
    named: true,
    header: { image: true },
    body: 'Hi {{first_name}}, this week: {{offer}}!',
    footer: 'Reply STOP to opt out',
    buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }],
    variables: [
      {
        component: 'header',
        key: 'image',
        label: 'image',
        example: 'https://example.com/offer.jpg',
        kind: 'image',
      },
      { component: 'body', key: 'first_name', label: '{{first_name}}', example: 'Ana', kind: 'text' },
      { component: 'body', key: 'offer', label: '{{offer}}', example: '2 croissants for 1', kind: 'text' },
    ],
  },
];

export const findTemplate = (name: string) => KNOWN_TEMPLATES.find((t) => t.name === name) ?? null;

const varId = (v: TemplateVariable) => `${v.component}:${v.key}`;
export { varId };

/** Fills {{n}} / {{name}} placeholders of one component with the given values. */
export function fill(text: string, component: TemplateVariable['component'], values: Record<string, string>) {
  return text.replace(/\{\{(\w+)\}\}/g, (m, key: string) => values[`${component}:${key}`] || m);
}

/** The `components` of a send, in Meta's Cloud API shape. */
export function templateComponents(
  t: KnownTemplate,
  values: Record<string, string>,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const header = t.variables.filter((v) => v.component === 'header');
  if (header.length)
    out.push({
      type: 'header',
      parameters: header.map((v) => ({ type: 'image', image: { link: values[varId(v)] ?? '' } })),
    });
  const body = t.variables.filter((v) => v.component === 'body');
  if (body.length)
    out.push({
      type: 'body',
      parameters: body.map((v) =>
        t.named
          ? { type: 'text', parameter_name: v.key, text: values[varId(v)] ?? '' }
          : { type: 'text', text: values[varId(v)] ?? '' },
      ),
    });
  t.buttons.forEach((b, index) => {
    const params = t.variables.filter((v) => v.component === 'button');
    if (b.type === 'URL' && params.length)
      out.push({
        type: 'button',
        sub_type: 'url',
        index: String(index),
        parameters: params.map((v) => ({ type: 'text', text: values[varId(v)] ?? '' })),
      });
  });
  return out;
}

/** Reads the variable values back out of a sent template's components (for its bubble). */
export function valuesOf(components: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (!Array.isArray(components)) return values;
  for (const c of components as Record<string, unknown>[]) {
    const type = String(c.type ?? '').toLowerCase();
    const params = Array.isArray(c.parameters) ? (c.parameters as Record<string, unknown>[]) : [];
    params.forEach((p, i) => {
      const component = type === 'button' ? 'button' : type === 'header' ? 'header' : 'body';
      const key =
        component === 'header'
          ? 'image'
          : typeof p.parameter_name === 'string'
            ? p.parameter_name
            : String(i + 1);
      const image = p.image as { link?: unknown } | undefined;
      const text = typeof p.text === 'string' ? p.text : typeof image?.link === 'string' ? image.link : '';
      values[`${component}:${key}`] = text;
    });
  }
  return values;
}
