import { GraphError, whatsappError } from '../graph/graph-error.ts';
import { arr, isObject, obj, str, type Json } from '../json.ts';
import type { MessageView, SimTemplate, TemplateComponent } from '../state/model.ts';

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Variable names in a template text, in order of first appearance. */
export function variablesOf(text: string | undefined): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? '';
    if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}

function component(template: SimTemplate, type: string): TemplateComponent | undefined {
  return template.components.find((c) => c.type.toUpperCase() === type);
}

/** Display value of a send parameter (`text`, `currency.fallback_value`, `date_time.fallback_value`, …). */
function paramValue(param: Json): string | undefined {
  const type = str(param.type);
  if (type === 'text') return str(param.text);
  if (type === 'currency') return str(obj(param.currency)?.fallback_value);
  if (type === 'date_time') return str(obj(param.date_time)?.fallback_value);
  if (type === 'payload') return str(param.payload);
  if (type === 'coupon_code') return str(param.coupon_code);
  return undefined;
}

function fill(text: string, names: string[], params: Json[], named: boolean): string {
  return text.replace(VARIABLE, (whole, name: string) => {
    const param = named ? params.find((p) => str(p.parameter_name) === name) : params[names.indexOf(name)];
    return (param && paramValue(param)) ?? whole;
  });
}

function checkParams(
  where: string,
  expected: string[],
  params: Json[],
  named: boolean,
  enforce: boolean,
): void {
  if (!enforce) return;
  if (params.length !== expected.length) {
    throw whatsappError(
      132000,
      `${where}: number of localizable_params (${params.length}) does not match the expected number of params (${expected.length})`,
    );
  }
  for (const param of params) {
    const type = str(param.type);
    if (type === 'text' && (str(param.text) ?? '') === '') {
      throw new GraphError(400, 131008, '(#131008) Required parameter is missing', {
        details: `${where}: Parameter of type text is missing text value`,
      });
    }
    if (named) {
      const name = str(param.parameter_name);
      if (name === undefined || !expected.includes(name)) {
        throw whatsappError(
          132012,
          `${where}: parameter_name '${name ?? ''}' does not match the template's named parameters (${expected.join(', ')})`,
        );
      }
    }
  }
}

/**
 * Checks a template send's `components` against the approved template (132000 / 132012 /
 * 131008) and renders what the customer sees.
 */
export function renderTemplateSend(
  template: SimTemplate,
  sendComponents: unknown,
  enforce: boolean,
): MessageView {
  const components = (arr(sendComponents) ?? []).filter(isObject);
  const named = template.parameterFormat === 'NAMED';
  const byType = (type: string): Json | undefined =>
    components.find((c) => str(c.type)?.toLowerCase() === type);
  const paramsOf = (c: Json | undefined): Json[] => (arr(c?.parameters) ?? []).filter(isObject);

  const view: MessageView = { kind: 'template' };

  const header = component(template, 'HEADER');
  const sendHeader = byType('header');
  if (header) {
    const format = (header.format ?? 'TEXT').toUpperCase();
    if (format === 'TEXT') {
      const names = variablesOf(header.text);
      const params = paramsOf(sendHeader);
      checkParams('header', names, params, named, enforce);
      view.header = fill(header.text ?? '', names, params, named);
    } else {
      const params = paramsOf(sendHeader);
      const param = params[0];
      if (enforce && !param) {
        throw whatsappError(132012, `header: Format mismatch, expected ${format}, received nothing`);
      }
      const type = str(param?.type)?.toUpperCase();
      if (enforce && type !== format) {
        throw whatsappError(
          132012,
          `header: Format mismatch, expected ${format}, received ${type ?? 'UNKNOWN'}`,
        );
      }
      if (param && type) {
        const media = obj(param[type.toLowerCase()]);
        view.media = {
          type: type.toLowerCase(),
          url: str(media?.link) ?? (str(media?.id) ? `media:${str(media?.id)}` : null),
          filename: str(media?.filename),
        };
      }
    }
  } else if (enforce && sendHeader && paramsOf(sendHeader).length > 0) {
    throw whatsappError(
      132000,
      `header: number of localizable_params (${paramsOf(sendHeader).length}) does not match the expected number of params (0)`,
    );
  }

  const body = component(template, 'BODY');
  const bodyNames = variablesOf(body?.text);
  const bodyParams = paramsOf(byType('body'));
  checkParams('body', bodyNames, bodyParams, named, enforce);
  view.text = fill(body?.text ?? '', bodyNames, bodyParams, named);

  const footer = component(template, 'FOOTER');
  if (footer?.text) view.footer = footer.text;

  const buttons = component(template, 'BUTTONS')?.buttons ?? [];
  const sendButtons = components.filter((c) => str(c.type)?.toLowerCase() === 'button');
  view.buttons = buttons.map((button, index) => {
    const type = button.type.toUpperCase();
    const sent = sendButtons.find((b) => String(b.index) === String(index));
    const sentParam = paramsOf(sent)[0];
    if (enforce && type === 'URL' && variablesOf(button.url).length > 0 && !sentParam) {
      throw new GraphError(400, 131008, '(#131008) Required parameter is missing', {
        details: `buttons: Button at index ${index} of type Url requires a parameter`,
      });
    }
    if (enforce && type === 'COPY_CODE' && !sentParam) {
      throw new GraphError(400, 131008, '(#131008) Required parameter is missing', {
        details: `buttons: Button at index ${index} of type CopyCode requires a parameter`,
      });
    }
    const payload = sentParam ? paramValue(sentParam) : undefined;
    return {
      id: type === 'QUICK_REPLY' ? (payload ?? button.text ?? `button_${index}`) : `button_${index}`,
      title: button.text ?? type,
      kind:
        type === 'QUICK_REPLY'
          ? 'quick_reply'
          : type === 'URL'
            ? 'url'
            : type === 'COPY_CODE'
              ? 'copy_code'
              : 'other',
    };
  });
  if (view.buttons.length === 0) delete view.buttons;
  return view;
}
