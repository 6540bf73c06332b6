import { fbtraceId } from '../ids.ts';

/** Meta's error envelope: `{"error":{message,type,code,error_subcode?,error_data?,fbtrace_id}}`. */
export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details: string };
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id: string;
}

export class GraphError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly extra: {
      type?: string;
      subcode?: number;
      details?: string;
      whatsapp?: boolean;
      transient?: boolean;
      userTitle?: string;
      userMsg?: string;
    } = {},
  ) {
    super(message);
  }

  body(): { error: GraphErrorBody } {
    const error: GraphErrorBody = {
      message: this.message,
      type: this.extra.type ?? 'OAuthException',
      code: this.code,
      fbtrace_id: fbtraceId(),
    };
    if (this.extra.subcode !== undefined) error.error_subcode = this.extra.subcode;
    if (this.extra.details !== undefined) {
      error.error_data =
        this.extra.whatsapp === false
          ? { details: this.extra.details }
          : { messaging_product: 'whatsapp', details: this.extra.details };
    }
    if (this.extra.userTitle !== undefined) error.error_user_title = this.extra.userTitle;
    if (this.extra.userMsg !== undefined) error.error_user_msg = this.extra.userMsg;
    if (this.extra.transient !== undefined) error.is_transient = this.extra.transient;
    return { error };
  }
}

// Common errors -----------------------------------------------------------------------------

export function invalidParameter(details: string, code = 100): GraphError {
  return new GraphError(
    400,
    code,
    code === 100 ? '(#100) Invalid parameter' : `(#${code}) ${titleFor(code)}`,
    {
      details,
    },
  );
}

export function missingParameter(details: string): GraphError {
  return new GraphError(400, 131008, '(#131008) Required parameter is missing', { details });
}

export function invalidValue(details: string): GraphError {
  return new GraphError(400, 131009, '(#131009) Parameter value is not valid', { details });
}

export function plainParameterError(message: string): GraphError {
  return new GraphError(400, 100, `(#100) ${message}`);
}

export function unsupportedRequest(method: string, id: string): GraphError {
  return new GraphError(
    400,
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { type: 'GraphMethodException', subcode: 33 },
  );
}

export function unknownPath(path: string): GraphError {
  return new GraphError(400, 2500, `Unknown path components: ${path}`);
}

export function invalidToken(): GraphError {
  return new GraphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
}

export function expiredToken(expiredAt: number): GraphError {
  const when = new Date(expiredAt).toUTCString();
  return new GraphError(401, 190, `Error validating access token: Session has expired on ${when}.`, {
    subcode: 463,
  });
}

export function missingToken(): GraphError {
  return new GraphError(
    401,
    2500,
    'An active access token must be used to query information about the current user.',
  );
}

export function permissionDenied(details: string): GraphError {
  return new GraphError(403, 10, '(#10) Application does not have permission for this action', { details });
}

export function transientError(status: number): GraphError {
  if (status === 503)
    return new GraphError(503, 2, 'Service temporarily unavailable', {
      transient: true,
      type: 'OAuthException',
    });
  return new GraphError(status, 1, 'An unknown error occurred', { transient: true });
}

/** WhatsApp error titles (used in sync messages and async `errors[]`). */
export function titleFor(code: number): string {
  switch (code) {
    case 130429:
      return 'Rate limit hit';
    case 131000:
      return 'Something went wrong';
    case 131008:
      return 'Required parameter is missing';
    case 131009:
      return 'Parameter value is not valid';
    case 131021:
      return 'Recipient cannot be sender';
    case 131026:
      return 'Message Undeliverable';
    case 131047:
      return 'Re-engagement message';
    case 131048:
      return 'Spam rate limit hit';
    case 131049:
      return 'This message was not delivered to maintain healthy ecosystem engagement.';
    case 131050:
      return 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.';
    case 131051:
      return 'Unsupported message type';
    case 131053:
      return 'Media upload error';
    case 131056:
      return '(Business Account, Consumer Account) pair rate limit hit';
    case 132000:
      return 'Number of parameters does not match the expected number of params';
    case 132001:
      return 'Template name does not exist in the translation';
    case 132005:
      return 'Translated text too long';
    case 132012:
      return 'Parameter format does not match format in the created template';
    case 132015:
      return 'Template is Paused';
    case 132016:
      return 'Template is Disabled';
    default:
      return 'Error';
  }
}

/** A WhatsApp error raised synchronously by the send endpoint. */
export function whatsappError(code: number, details: string, httpStatus = 400): GraphError {
  return new GraphError(httpStatus, code, `(#${code}) ${titleFor(code)}`, { details });
}
