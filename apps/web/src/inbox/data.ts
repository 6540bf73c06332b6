import { useInfiniteQuery, useQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type {
  CannedResponse,
  Channel,
  Contact,
  ContactField,
  Conversation,
  ConversationState,
  Label,
  Message,
  Page,
  Team,
} from '../api/inbox-types.ts';
import type { Items, Member } from '../api/types.ts';

/** The inbox's filters (they live in the URL's query string). */
export interface ListFilters {
  status: 'open' | 'pending' | 'snoozed' | 'resolved';
  assignee: 'me' | 'none' | 'all';
  channelId: string;
  labelId: string;
  unread: boolean;
  search: string;
}

export const DEFAULT_FILTERS: ListFilters = {
  status: 'open',
  assignee: 'all',
  channelId: '',
  labelId: '',
  unread: false,
  search: '',
};

export function filtersFrom(search: URLSearchParams): ListFilters {
  const status = search.get('status');
  const assignee = search.get('assignee');
  return {
    status: status === 'pending' || status === 'snoozed' || status === 'resolved' ? status : 'open',
    assignee: assignee === 'me' || assignee === 'none' ? assignee : 'all',
    channelId: search.get('channel') ?? '',
    labelId: search.get('label') ?? '',
    unread: search.get('unread') === '1',
    search: search.get('q') ?? '',
  };
}

export function filtersToSearch(f: ListFilters): string {
  const p = new URLSearchParams();
  if (f.status !== 'open') p.set('status', f.status);
  if (f.assignee !== 'all') p.set('assignee', f.assignee);
  if (f.channelId) p.set('channel', f.channelId);
  if (f.labelId) p.set('label', f.labelId);
  if (f.unread) p.set('unread', '1');
  if (f.search) p.set('q', f.search);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const keys = {
  conversations: (ws: string) => ['conversations', ws] as const,
  conversationList: (ws: string, f: ListFilters) => ['conversations', ws, f] as const,
  conversation: (ws: string, id: string) => ['conversation', ws, id] as const,
  messages: (ws: string, id: string) => ['messages', ws, id] as const,
  contact: (ws: string, id: string) => ['contact', ws, id] as const,
  contactConversations: (ws: string, id: string) => ['conversations', ws, 'contact', id] as const,
  contactFields: (ws: string) => ['contact-fields', ws] as const,
  channels: (ws: string) => ['channels', ws] as const,
  labels: (ws: string) => ['labels', ws] as const,
  teams: (ws: string) => ['teams', ws] as const,
  members: (ws: string) => ['member-list', ws] as const,
  canned: (ws: string) => ['canned', ws] as const,
};

export function useConversationList(ws: string, f: ListFilters) {
  return useInfiniteQuery({
    queryKey: keys.conversationList(ws, f),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<Conversation>) => last.nextCursor,
    queryFn: ({ pageParam }) => {
      const p = new URLSearchParams({ status: f.status, limit: '40' });
      if (f.assignee !== 'all') p.set('assigneeId', f.assignee);
      if (f.channelId) p.set('channelId', f.channelId);
      if (f.labelId) p.set('labelId', f.labelId);
      if (f.unread) p.set('unread', 'true');
      if (f.search.trim()) p.set('search', f.search.trim());
      if (pageParam) p.set('cursor', pageParam);
      return api<Page<Conversation>>('GET', `/conversations?${p}`, { workspaceId: ws });
    },
  });
}

export function useConversation(ws: string, id: string) {
  return useQuery({
    queryKey: keys.conversation(ws, id),
    queryFn: () => api<Conversation>('GET', `/conversations/${id}`, { workspaceId: ws }),
  });
}

export function useMessages(ws: string, id: string) {
  return useInfiniteQuery({
    queryKey: keys.messages(ws, id),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<Message>) => last.nextCursor,
    queryFn: ({ pageParam }) =>
      api<Page<Message>>(
        'GET',
        `/conversations/${id}/messages?limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
        { workspaceId: ws },
      ),
    staleTime: 5 * 60_000,
  });
}

export function useContact(ws: string, id: string | undefined) {
  return useQuery({
    queryKey: keys.contact(ws, id ?? ''),
    enabled: !!id,
    queryFn: () => api<Contact>('GET', `/contacts/${id}`, { workspaceId: ws }),
  });
}

const list =
  <T>(path: string) =>
  (ws: string) =>
    api<Items<T>>('GET', path, { workspaceId: ws }).then((r) => r.items);

/** Every conversation of a contact (one per channel they wrote on). */
export const useContactConversations = (ws: string, contactId: string) =>
  useQuery({
    queryKey: keys.contactConversations(ws, contactId),
    queryFn: () => list<Conversation>(`/conversations?contactId=${contactId}&limit=50`)(ws),
  });

export const useChannels = (ws: string, enabled = true) =>
  useQuery({ queryKey: keys.channels(ws), enabled, queryFn: () => list<Channel>('/channels')(ws) });
/** The workspace's custom contact fields, archived ones included. */
export const useContactFields = (ws: string) =>
  useQuery({ queryKey: keys.contactFields(ws), queryFn: () => list<ContactField>('/contact-fields')(ws) });
export const useLabels = (ws: string) =>
  useQuery({ queryKey: keys.labels(ws), queryFn: () => list<Label>('/labels')(ws) });
export const useTeams = (ws: string) =>
  useQuery({ queryKey: keys.teams(ws), queryFn: () => list<Team>('/teams')(ws) });
export const useMembers = (ws: string) =>
  useQuery({ queryKey: keys.members(ws), queryFn: () => list<Member>('/members')(ws) });
export const useCanned = (ws: string) =>
  useQuery({ queryKey: keys.canned(ws), queryFn: () => list<CannedResponse>('/canned-responses')(ws) });

/** Puts a message into a conversation's cached timeline (new at the top of page 0, else replaced). */
export function upsertMessage(qc: QueryClient, ws: string, m: Message): 'added' | 'updated' | 'none' {
  let result: 'added' | 'updated' | 'none' = 'none';
  qc.setQueryData<InfiniteData<Page<Message>>>(keys.messages(ws, m.conversationId), (data) => {
    if (!data) return data;
    let found = false;
    const pages = data.pages.map((p) => ({
      ...p,
      items: p.items.map((x) => {
        if (x.id !== m.id) return x;
        found = true;
        return m;
      }),
    }));
    if (found) {
      result = 'updated';
      return { ...data, pages };
    }
    result = 'added';
    const [first, ...rest] = pages;
    if (!first) return { ...data, pages: [{ items: [m], nextCursor: null }] };
    // The server's order is the truth (newest first); a new message goes on top.
    return { ...data, pages: [{ ...first, items: [m, ...first.items] }, ...rest] };
  });
  return result;
}

/** Applies an assign/status/labels answer to every cached copy of the conversation. */
export function applyState(qc: QueryClient, ws: string, state: ConversationState) {
  qc.setQueryData<Conversation>(keys.conversation(ws, state.id), (c) => (c ? { ...c, ...state } : c));
  void qc.invalidateQueries({ queryKey: keys.conversations(ws) });
}

export function newIdempotencyKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
