import { variablesOf } from '../rules/template-parameters.ts';
import { arr, isObject, obj, str } from '../json.ts';
import type { SimTemplate, TemplateComponent } from '../state/model.ts';

/** A template's name must be lowercase letters, digits and underscores (≤ 512). */
export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;

export interface ReviewResult {
  status: 'APPROVED' | 'REJECTED';
  reason: string;
  explanation: string;
}

/** Words that get a template rejected as abusive/promotional content [U: Meta's reviewer is a black box]. */
export const REJECT_WORDS = ['guaranteed winner', 'free money', 'click here now'];

function examplesFor(component: TemplateComponent, named: boolean): unknown[] | undefined {
  const example = component.example;
  if (!example) return undefined;
  const type = component.type.toUpperCase();
  if (type === 'HEADER') {
    return named ? arr(example.header_text_named_params) : arr(example.header_text);
  }
  if (named) return arr(example.body_text_named_params);
  const positional = arr(example.body_text);
  return arr(positional?.[0]);
}

/**
 * The simulated review: rejects bad names, variables without examples, example/variable
 * count mismatches, non-sequential positional variables, named/positional format mix-ups
 * and a few banned phrases; approves everything else.
 */
export function reviewTemplate(template: SimTemplate): ReviewResult {
  const reject = (reason: string, explanation: string): ReviewResult => ({
    status: 'REJECTED',
    reason,
    explanation,
  });
  if (!TEMPLATE_NAME.test(template.name)) {
    return reject(
      'INVALID_FORMAT',
      'Template names may contain only lowercase letters, numbers and underscores.',
    );
  }
  const named = template.parameterFormat === 'NAMED';
  for (const component of template.components) {
    const type = component.type.toUpperCase();
    if (type !== 'BODY' && !(type === 'HEADER' && (component.format ?? 'TEXT').toUpperCase() === 'TEXT')) {
      if (
        type === 'HEADER' &&
        ['IMAGE', 'VIDEO', 'DOCUMENT'].includes((component.format ?? '').toUpperCase())
      ) {
        const handles = arr(component.example?.header_handle);
        if (!handles || handles.length === 0)
          return reject('INVALID_FORMAT', 'Media headers need an example (header_handle).');
      }
      continue;
    }
    const variables = variablesOf(component.text);
    if (variables.length === 0) continue;
    const numeric = variables.every((v) => /^\d+$/.test(v));
    if (named && numeric)
      return reject('INVALID_FORMAT', 'parameter_format is NAMED but the text uses positional variables.');
    if (!named && !numeric)
      return reject('INVALID_FORMAT', 'Positional templates must use {{1}}, {{2}}, … variables.');
    if (!named) {
      const sorted = variables.map(Number).sort((a, b) => a - b);
      if (sorted.some((n, i) => n !== i + 1))
        return reject('INVALID_FORMAT', 'Variables must be sequential, starting at {{1}}.');
    }
    if (type === 'HEADER' && variables.length > 1)
      return reject('INVALID_FORMAT', 'A text header may have at most one variable.');
    const examples = examplesFor(component, named);
    if (!examples || examples.length === 0)
      return reject('INVALID_FORMAT', `${type} has variables but no examples.`);
    if (examples.length !== variables.length) {
      return reject(
        'INVALID_FORMAT',
        `${type} has ${variables.length} variables but ${examples.length} examples.`,
      );
    }
    if (named) {
      const names = examples.map((e) => (isObject(e) ? str(e.param_name) : undefined));
      if (variables.some((v) => !names.includes(v)))
        return reject('INVALID_FORMAT', `${type} examples do not name every variable.`);
    }
    const text = (component.text ?? '').toLowerCase();
    if (REJECT_WORDS.some((w) => text.includes(w)))
      return reject('PROMOTIONAL', 'The content violates WhatsApp Commerce Policy.');
    if (type === 'BODY' && /^\s*\{\{[^}]+\}\}|\{\{[^}]+\}\}\s*$/.test(component.text ?? '')) {
      return reject('INVALID_FORMAT', 'Variables cannot be at the start or end of the body.');
    }
  }
  return { status: 'APPROVED', reason: 'NONE', explanation: '' };
}

/** Normalises the `components` of a create/edit request (uppercase types). */
export function normaliseComponents(value: unknown): TemplateComponent[] | undefined {
  const list = arr(value);
  if (!list) return undefined;
  const out: TemplateComponent[] = [];
  for (const item of list) {
    const c = obj(item);
    const type = str(c?.type);
    if (!c || !type) return undefined;
    const component: TemplateComponent = { ...c, type: type.toUpperCase() };
    if (typeof c.format === 'string') component.format = c.format.toUpperCase();
    if (Array.isArray(c.buttons)) {
      component.buttons = c.buttons
        .filter(isObject)
        .map((b) => ({ ...b, type: (str(b.type) ?? '').toUpperCase() }));
    }
    out.push(component);
  }
  return out;
}
