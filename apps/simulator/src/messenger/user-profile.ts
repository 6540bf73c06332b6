import { rulesFor, type SimContext } from '../context.ts';
import { GraphError, unknownPath, unsupportedRequest } from '../graph/graph-error.ts';
import type { Json } from '../json.ts';
import type { SimCustomer, SimToken } from '../state/model.ts';
import { messagingAccount, type MessagingAccount } from './page-accounts.ts';

/**
 * Meta's User Profile API for the people who write to a Page or an Instagram account:
 * `GET /{psid}?fields=first_name,last_name,profile_pic` with the Page access token (Messenger) and
 * `GET /{igsid}?fields=name,username,profile_pic` with the linked Page's token (Instagram through
 * Facebook Login). The names are the simulated customer's; Messenger's are split at the first space.
 */

/** Fields each node answers; anything else is refused like Meta refuses a field a node lacks. */
const MESSENGER_FIELDS = ['id', 'name', 'first_name', 'last_name', 'profile_pic'];
const INSTAGRAM_FIELDS = [
  'id',
  'name',
  'username',
  'profile_pic',
  'follower_count',
  'is_user_follow_business',
  'is_business_follow_user',
  'is_verified_user',
];
/** [U] What a request without `fields` gets. */
const DEFAULT_FIELDS = {
  messenger: ['first_name', 'last_name', 'profile_pic'],
  instagram: ['name', 'username', 'profile_pic'],
} as const;

export interface ProfileUser {
  account: MessagingAccount;
  customer: SimCustomer;
}

/** The person behind a PSID / IGSID of any Page or Instagram account, or undefined (not one). */
export function findScopedUser(ctx: SimContext, id: string): ProfileUser | undefined {
  for (const accountId of [...ctx.store.pages.keys(), ...ctx.store.instagrams.keys()]) {
    const customer = ctx.store.customerByScopedId(accountId, id);
    const account = customer ? messagingAccount(ctx, accountId) : undefined;
    if (customer && account) return { account, customer };
  }
  return undefined;
}

/** An Instagram-style handle from a name: `Ana Ruiz` → `ana.ruiz` (letters and digits, dots between). */
export function usernameOf(name: string): string {
  const handle = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 30)
    .replace(/\.+$/, '');
  return handle || 'user';
}

/** Messenger splits the name: the first word is `first_name`, the rest `last_name` ('' when none). */
export function splitName(name: string): { first: string; last: string } {
  const trimmed = name.trim();
  const cut = trimmed.search(/\s/);
  if (cut < 0) return { first: trimmed, last: '' };
  return { first: trimmed.slice(0, cut), last: trimmed.slice(cut).trim() };
}

/** [U] Meta's refusal when it will not give the profile (no consent yet, the person's privacy). */
function profileUnavailable(ctx: SimContext, account: MessagingAccount): GraphError {
  const rules = rulesFor(ctx, account.id);
  if (account.channel === 'instagram') {
    return new GraphError(
      400,
      rules.instagramProfileErrorCode,
      'User consent is required to access user profile',
    );
  }
  return new GraphError(400, 100, '(#100) No profile available for this user.', {
    subcode: rules.messengerProfileErrorSubcode,
  });
}

/**
 * `GET /{psid|igsid}`. A token reaches only the people of its own Page (a Page token; for an
 * Instagram account, its linked Page's) — anything else answers 100/33, exactly like an id that
 * does not exist. Refused as "not available" without the person's consent (they never wrote), when
 * their privacy hides the profile, or when the `profileUnavailable*` fault says so.
 */
export function userProfile(
  ctx: SimContext,
  token: SimToken,
  user: ProfileUser,
  req: { method: string; id: string; edge: string | undefined; fields: string | undefined },
): Json {
  const { account, customer } = user;
  const rules = rulesFor(ctx, account.id);
  const sameBusiness = token.businessId === null || token.businessId === account.page.businessId;
  const pageToken = token.kind === 'page' && token.pageId === account.page.id;
  if (!sameBusiness || (token.kind === 'page' && !pageToken)) throw unsupportedRequest(req.method, req.id);
  if (!pageToken && rules.userProfileRequiresPageToken) throw unsupportedRequest(req.method, req.id);
  if (req.edge !== undefined) throw unknownPath(`/${req.edge}`);
  if (req.method !== 'GET') throw unsupportedRequest(req.method, req.id);

  const allowed = account.channel === 'instagram' ? INSTAGRAM_FIELDS : MESSENGER_FIELDS;
  const wanted = req.fields
    ? req.fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : [...DEFAULT_FIELDS[account.channel]];
  const unknown = wanted.find((f) => !allowed.includes(f));
  if (unknown !== undefined) {
    throw new GraphError(
      400,
      100,
      `(#100) Tried accessing nonexisting field (${unknown}) on node type (User)`,
    );
  }

  const thread = ctx.store.findThread(account.id, customer.id);
  const consented = thread !== undefined && thread.lastInboundAt !== null;
  if (rules.userProfileConsent && !consented) throw profileUnavailable(ctx, account);
  if (customer.profileHidden) throw profileUnavailable(ctx, account);
  const faults = ctx.faults.graph;
  if (faults.profileUnavailableNext > 0) {
    faults.profileUnavailableNext -= 1;
    throw profileUnavailable(ctx, account);
  }
  if (ctx.random.chance(faults.profileUnavailableRate)) throw profileUnavailable(ctx, account);

  const { first, last } = splitName(customer.name);
  const full: Json = {
    name: customer.name,
    first_name: first,
    last_name: last,
    username: usernameOf(customer.name),
    // The simulator draws no avatars; Meta documents `profile_pic` as null when none is set.
    profile_pic: null,
    follower_count: 0,
    is_user_follow_business: false,
    is_business_follow_user: false,
    is_verified_user: false,
  };
  const out: Json = {};
  for (const f of wanted) if (f !== 'id') out[f] = full[f];
  out.id = req.id;
  return out;
}
