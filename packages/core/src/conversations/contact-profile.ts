import type { ChannelKind } from './canonical.ts';
import { CONTACT_NAME_MAX } from './contact-fields.ts';
import type { ChannelCredentials, ChannelRecord, ContactIdentity } from './model.ts';
import type { ChannelStore, ContactStore, ConversationStore, JobQueue, RealtimeLog } from './ports.ts';

/**
 * Names for Messenger and Instagram contacts. Their webhooks carry only the page-scoped id (PSID /
 * IGSID), never a name (WhatsApp's carry `contacts[].profile.name`), so a new contact from those
 * channels is looked up once with Meta's User Profile API, by a durable job (`contact.profile`).
 * The name fills the contact only while it has none: a name someone set is never overwritten.
 */

/** Channels whose contacts arrive without a name and have a profile to look up. */
export const PROFILE_LOOKUP_CHANNELS: ReadonlySet<ChannelKind> = new Set(['messenger', 'instagram']);

/**
 * Asks for the profile of a person an inbound message just created an identity for (called where
 * ingestion creates contact identities). Nothing for WhatsApp or an identity that came with a name.
 */
export async function requestContactProfile(
  deps: { jobs: JobQueue },
  channel: Pick<ChannelRecord, 'kind'>,
  identity: Pick<ContactIdentity, 'id' | 'profileName'>,
): Promise<void> {
  if (!PROFILE_LOOKUP_CHANNELS.has(channel.kind) || identity.profileName !== null) return;
  await deps.jobs.enqueue('contact.profile', identity.id);
}

export interface ProfileFetch {
  identity: ContactIdentity;
  channel: ChannelRecord;
  credentials: ChannelCredentials;
}

/**
 * What the lookup of an identity's profile needs, or null when there is nothing to look up any
 * more: the identity is gone or has a profile name, its contact has a name (someone named them
 * while the job waited), or its channel is no longer an active Messenger / Instagram channel.
 */
export async function prepareProfileFetch(
  deps: { contacts: ContactStore; channels: ChannelStore },
  identityId: string,
): Promise<ProfileFetch | null> {
  const identity = await deps.contacts.getIdentity(identityId);
  if (!identity || identity.profileName !== null) return null;
  const contact = await deps.contacts.get(identity.contactId);
  if (!contact || contact.name !== null) return null;
  const channel = await deps.channels.get(identity.channelId);
  if (!channel || channel.status !== 'active' || !PROFILE_LOOKUP_CHANNELS.has(channel.kind)) return null;
  return { identity, channel, credentials: await deps.channels.credentials(channel.id) };
}

/**
 * The name to show for a profile: the person's name, else (Instagram) their username. Control
 * characters become spaces, runs of white space one space, and it is cut to the length a name
 * may have. Null when nothing is left.
 */
export function profileDisplayName(profile: { name: string | null; username?: string }): string | null {
  for (const candidate of [profile.name, profile.username]) {
    if (!candidate) continue;
    const clean = candidate.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
    if (clean) return cut(clean, CONTACT_NAME_MAX);
  }
  return null;
}

/** At most `max` UTF-16 units (as a name is measured when edited), never half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out.trim();
}

/**
 * Records a fetched profile: the identity's profile name (while it has none) and the contact's
 * name only while the contact has none. When the contact got its name, the conversations on that
 * channel are announced as updated (their view carries the contact's name; there is no contact
 * event). True when the contact's name was set.
 */
export async function applyContactProfile(
  deps: { contacts: ContactStore; conversations: ConversationStore; realtime: RealtimeLog },
  identityId: string,
  profile: { name: string | null; username?: string },
): Promise<boolean> {
  const name = profileDisplayName(profile);
  if (name === null) return false;
  const identity = await deps.contacts.getIdentity(identityId);
  if (!identity) return false;
  await deps.contacts.setIdentityProfileName(identity.id, name);
  if (!(await deps.contacts.nameIfUnnamed(identity.contactId, name))) return false;
  const conversations = await deps.conversations.findByContacts(identity.channelId, [identity.contactId]);
  for (const conversation of conversations) {
    await deps.realtime.append({
      type: 'conversation.updated',
      conversationId: conversation.id,
      data: { contactId: identity.contactId },
    });
  }
  return true;
}
