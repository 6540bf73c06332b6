import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, isApiError } from '../api/client.ts';
import type { Channel, Conversation, ConversationState, Message } from '../api/inbox-types.ts';
import type { Member } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link } from '../router.tsx';
import { ErrorAlert, Loading } from '../ui/components.tsx';
import { Composer } from './Composer.tsx';
import { contactLabel, CHANNEL_ICON } from './ConversationList.tsx';
import { ContactPanel } from './ContactPanel.tsx';
import { applyState, keys, useConversation, useMessages, useTeams } from './data.ts';
import { MessageBubble } from './MessageBubble.tsx';
import { onRealtime } from './realtime.ts';

const WINDOW_STEP = 40;
const INITIAL_WINDOW = 60;

export function ConversationPane({
  ws,
  id,
  backTo,
  channels,
  members,
  meId,
}: {
  ws: string;
  id: string;
  backTo: string;
  channels: Channel[];
  members: Member[];
  meId: string;
}) {
  const { t } = useI18n();
  const conversation = useConversation(ws, id);
  if (conversation.isPending) return <Loading />;
  if (conversation.isError) {
    const e = conversation.error;
    return (
      <div className="conv-missing">
        <Link to={backTo} className="back-link">
          ← {t('inbox.backToList')}
        </Link>
        {isApiError(e) && (e.code === 'not_found' || e.status === 400) ? (
          <p className="notice notice-error" role="alert">
            {t('conv.notFound')}
          </p>
        ) : (
          <ErrorAlert error={e} />
        )}
      </div>
    );
  }
  const c = conversation.data;
  return (
    <Loaded
      key={c.id}
      ws={ws}
      c={c}
      backTo={backTo}
      channel={channels.find((x) => x.id === c.channelId) ?? null}
      channels={channels}
      members={members}
      meId={meId}
    />
  );
}

function Loaded({
  ws,
  c,
  backTo,
  channel,
  channels,
  members,
  meId,
}: {
  ws: string;
  c: Conversation;
  backTo: string;
  channel: Channel | null;
  channels: Channel[];
  members: Member[];
  meId: string;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const name = contactLabel(c, t('contact.unnamed'));
  const [announce, setAnnounce] = useState('');
  const [typing, setTyping] = useState<string | null>(null);
  const [showContact, setShowContact] = useState(false);

  const markRead = useCallback(() => {
    void api<Conversation>('POST', `/conversations/${c.id}/read`, { workspaceId: ws, quiet: true })
      .then((fresh) => {
        qc.setQueryData(keys.conversation(ws, c.id), fresh);
        void qc.invalidateQueries({ queryKey: keys.conversations(ws) });
      })
      .catch(() => undefined);
  }, [c.id, ws, qc]);

  useEffect(() => {
    if (c.unreadCount > 0) markRead();
  }, [c.unreadCount, markRead]);

  const memberName = useCallback(
    (userId: string | null) => {
      const m = members.find((x) => x.userId === userId);
      return m ? m.name || m.email : null;
    },
    [members],
  );

  // New messages are announced (aria-live); the team's typing shows for a few seconds.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = onRealtime((e) => {
      if (e.conversationId !== c.id) return;
      if (e.type === 'message.created') {
        const m = e.data?.message as Message | undefined;
        if (m && m.direction === 'inbound' && m.kind === 'message') {
          const text =
            typeof m.content.text === 'string' ? m.content.text : t(`msg.type.${m.type}` as 'msg.type.image');
          setAnnounce(t('conv.newMessage', { name, text: text.slice(0, 140) }));
        }
      } else if (e.type === 'typing' && e.userId && e.userId !== meId) {
        setTyping(memberName(e.userId) ?? t('msg.someone'));
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => setTyping(null), 6000);
      }
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [c.id, meId, memberName, name, t]);

  return (
    <div className="conv-pane">
      <header className="conv-header">
        <Link to={backTo} className="back-link">
          ← <span className="visually-hidden-wide">{t('inbox.backToList')}</span>
        </Link>
        <div className="conv-title">
          <h2 id="conv-title">
            {channel && <span aria-hidden="true">{CHANNEL_ICON[channel.kind]} </span>}
            {name}
          </h2>
          <p className="muted small">
            {channel ? `${t(`channel.kind.${channel.kind}`)} · ${channel.name || channel.display || ''}` : ''}
            {' · '}
            {t(`conv.status.${c.status}`)}
            {c.status === 'snoozed' && c.snoozedUntil
              ? ` → ${new Date(c.snoozedUntil).toLocaleString()}`
              : ''}
          </p>
        </div>
        <button
          type="button"
          className="button contact-toggle"
          aria-expanded={showContact}
          aria-controls="contact-panel"
          onClick={() => setShowContact(!showContact)}
        >
          {t('contact.title')}
        </button>
      </header>
      <Triage ws={ws} c={c} members={members} meId={meId} />
      <div className="conv-body">
        <div className="conv-main">
          <Timeline ws={ws} c={c} memberName={memberName} />
          <div className="visually-hidden" aria-live="polite" role="status">
            {announce}
          </div>
          <p className="typing" aria-live="polite">
            {typing ? t('conv.typing', { name: typing }) : ''}
          </p>
          <Composer ws={ws} conversation={c} channelKind={channel?.kind ?? null} />
        </div>
        <ContactPanel ws={ws} c={c} channels={channels} open={showContact} />
      </div>
    </div>
  );
}

/** Assign, resolve / reopen, snooze. */
function Triage({ ws, c, members, meId }: { ws: string; c: Conversation; members: Member[]; meId: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const teams = useTeams(ws);
  const mutate = useMutation({
    mutationFn: (v: { path: string; body: unknown }) =>
      api<ConversationState>('POST', `/conversations/${c.id}/${v.path}`, { workspaceId: ws, body: v.body }),
    onSuccess: (s) => applyState(qc, ws, s),
  });
  const setStatus = (status: Conversation['status'], snoozedUntil?: string) =>
    mutate.mutate({ path: 'status', body: snoozedUntil ? { status, snoozedUntil } : { status } });

  // e resolves or reopens (the keyboard shortcut).
  useEffect(() => {
    const onKey = (e: Event) => {
      if ((e as CustomEvent<string>).detail === 'resolve')
        setStatus(c.status === 'resolved' ? 'open' : 'resolved');
    };
    window.addEventListener('parley:triage', onKey);
    return () => window.removeEventListener('parley:triage', onKey);
  });

  const snoozePresets = useMemo(() => {
    const now = new Date();
    const hour = new Date(now.getTime() + 3600_000);
    const tomorrow = new Date(now);
    tomorrow.setDate(now.getDate() + 1);
    tomorrow.setHours(9, 0, 0, 0);
    const week = new Date(now);
    week.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
    week.setHours(9, 0, 0, 0);
    return [
      { key: 'hour', label: t('snooze.hour'), at: hour },
      { key: 'tomorrow', label: t('snooze.tomorrow'), at: tomorrow },
      { key: 'week', label: t('snooze.nextWeek'), at: week },
    ];
  }, [t]);

  return (
    <div className="triage" role="toolbar" aria-label={t('conv.actions')}>
      <label className="triage-field">
        <span>{t('conv.assignee')}</span>
        <select
          value={c.assigneeId ?? ''}
          disabled={mutate.isPending}
          onChange={(e) => mutate.mutate({ path: 'assign', body: { assigneeId: e.target.value || null } })}
        >
          <option value="">{t('inbox.unassigned')}</option>
          {members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {(m.name || m.email) + (m.userId === meId ? ` ${t('members.you')}` : '')}
            </option>
          ))}
        </select>
      </label>
      <label className="triage-field">
        <span>{t('conv.team')}</span>
        <select
          value={c.teamId ?? ''}
          disabled={mutate.isPending}
          onChange={(e) =>
            mutate.mutate({
              path: 'assign',
              body: { assigneeId: c.assigneeId, teamId: e.target.value || null },
            })
          }
        >
          <option value="">{t('conv.noTeam')}</option>
          {(teams.data ?? []).map((tm) => (
            <option key={tm.id} value={tm.id}>
              {tm.name}
            </option>
          ))}
        </select>
      </label>
      {c.status === 'resolved' ? (
        <button
          type="button"
          className="button"
          disabled={mutate.isPending}
          onClick={() => setStatus('open')}
        >
          {t('conv.reopen')}
        </button>
      ) : (
        <button
          type="button"
          className="button button-primary"
          disabled={mutate.isPending}
          onClick={() => setStatus('resolved')}
        >
          {t('conv.resolve')}
        </button>
      )}
      <label className="triage-field">
        <span className="visually-hidden">{t('conv.snooze')}</span>
        <select
          value=""
          disabled={mutate.isPending}
          onChange={(e) => {
            const p = snoozePresets.find((x) => x.key === e.target.value);
            if (p) setStatus('snoozed', p.at.toISOString());
          }}
        >
          <option value="">{t('conv.snooze')}…</option>
          {snoozePresets.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <ErrorAlert error={mutate.error} />
    </div>
  );
}

/**
 * The timeline, oldest at the top. Only a window of the newest messages is in the DOM; scrolling
 * up widens it and then pages older messages in from the API, keeping the scroll position. Rows
 * use `content-visibility: auto`, so what is off screen costs no layout or paint.
 */
function Timeline({
  ws,
  c,
  memberName,
}: {
  ws: string;
  c: Conversation;
  memberName: (id: string | null) => string | null;
}) {
  const { t, formatDate } = useI18n();
  const query = useMessages(ws, c.id);
  const scroller = useRef<HTMLDivElement>(null);
  const [windowSize, setWindowSize] = useState(INITIAL_WINDOW);
  const anchor = useRef<number | null>(null);
  const stick = useRef(true);

  const all = useMemo(() => {
    const list = (query.data?.pages ?? []).flatMap((p) => p.items);
    return list.slice().reverse();
  }, [query.data]);
  const shown = all.slice(Math.max(0, all.length - windowSize));
  const hiddenOlder = all.length - shown.length;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  const loadOlder = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    if (hiddenOlder > 0) {
      anchor.current = el.scrollHeight - el.scrollTop;
      setWindowSize((w) => w + WINDOW_STEP);
    } else if (hasNextPage && !isFetchingNextPage) {
      anchor.current = el.scrollHeight - el.scrollTop;
      void fetchNextPage().then(() => setWindowSize((w) => w + WINDOW_STEP));
    }
  }, [hiddenOlder, hasNextPage, isFetchingNextPage, fetchNextPage]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current !== null) {
      el.scrollTop = el.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [shown.length, shown[shown.length - 1]?.id]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 120) loadOlder();
  };

  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} />;
  let lastDay = '';
  return (
    <div className="timeline" ref={scroller} onScroll={onScroll} tabIndex={0} aria-labelledby="conv-title">
      {(hiddenOlder > 0 || hasNextPage) && (
        <p className="timeline-more">
          <button type="button" className="link-button" onClick={loadOlder} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? t('common.loading') : t('conv.older')}
          </button>
        </p>
      )}
      {all.length === 0 && <p className="muted">{t('conv.noMessages')}</p>}
      <ol className="messages" aria-label={t('conv.messages')}>
        {shown.map((m) => {
          const day = new Date(m.timestamp).toDateString();
          const divider = day !== lastDay;
          lastDay = day;
          return [
            divider ? (
              <li key={`d-${m.id}`} className="day-divider" aria-hidden="true">
                {formatDate(m.timestamp).split(',')[0]}
              </li>
            ) : null,
            <MessageBubble
              key={m.id}
              m={m}
              authorName={m.author.type === 'user' ? memberName(m.author.id) : null}
            />,
          ];
        })}
      </ol>
    </div>
  );
}
