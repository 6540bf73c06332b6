import { useEffect, useRef, useState } from 'react';
import type { Channel, Conversation, Label } from '../api/inbox-types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, navigate } from '../router.tsx';
import { ErrorAlert, Loading } from '../ui/components.tsx';
import { filtersToSearch, useConversationList, type ListFilters } from './data.ts';

export const CHANNEL_ICON: Record<string, string> = { whatsapp: '🟢', messenger: '🔵', instagram: '🟣' };

export function contactLabel(c: Conversation, fallback: string): string {
  return c.contact?.name || c.contact?.phone || fallback;
}

/** The left column: filters, search and the conversations, loading more as you scroll. */
export function ConversationList({
  ws,
  filters,
  selectedId,
  channels,
  labels,
  onItems,
}: {
  ws: string;
  filters: ListFilters;
  selectedId: string | null;
  channels: Channel[];
  labels: Label[];
  onItems: (ids: string[]) => void;
}) {
  const { t } = useI18n();
  const query = useConversationList(ws, filters);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const sentinel = useRef<HTMLLIElement>(null);
  const [search, setSearch] = useState(filters.search);
  useEffect(() => setSearch(filters.search), [filters.search]);

  const ids = items.map((c) => c.id).join(',');
  useEffect(() => onItems(ids ? ids.split(',') : []), [ids, onItems]);

  // Infinite scroll: the last row coming into view asks for the next page.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, items.length]);

  const base = `/w/${ws}/inbox`;
  const go = (patch: Partial<ListFilters>) =>
    navigate(`${base}${selectedId ? `/${selectedId}` : ''}${filtersToSearch({ ...filters, ...patch })}`, {
      replace: true,
    });
  const channelOf = new Map(channels.map((c) => [c.id, c]));
  const labelOf = new Map(labels.map((l) => [l.id, l]));
  const statuses = ['open', 'pending', 'snoozed', 'resolved'] as const;

  return (
    <div className="conv-list-pane">
      <div className="conv-filters">
        <div className="status-tabs" role="group" aria-label={t('inbox.statusFilter')}>
          {statuses.map((s) => (
            <button
              key={s}
              type="button"
              className={`tab ${filters.status === s ? 'tab-on' : ''}`}
              aria-pressed={filters.status === s}
              onClick={() => go({ status: s })}
            >
              {t(`conv.status.${s}`)}
            </button>
          ))}
        </div>
        <form
          role="search"
          className="conv-search"
          onSubmit={(e) => {
            e.preventDefault();
            go({ search: search.trim() });
          }}
        >
          <label htmlFor="conv-search" className="visually-hidden">
            {t('inbox.search')}
          </label>
          <input
            id="conv-search"
            type="search"
            value={search}
            placeholder={t('inbox.searchPlaceholder')}
            onChange={(e) => {
              setSearch(e.target.value);
              if (!e.target.value) go({ search: '' });
            }}
          />
          <button type="submit" className="button">
            {t('inbox.searchButton')}
          </button>
        </form>
        <div className="filter-row">
          <label className="visually-hidden" htmlFor="f-assignee">
            {t('inbox.assigneeFilter')}
          </label>
          <select
            id="f-assignee"
            value={filters.assignee}
            onChange={(e) => go({ assignee: e.target.value as ListFilters['assignee'] })}
          >
            <option value="all">{t('inbox.all')}</option>
            <option value="me">{t('inbox.mine')}</option>
            <option value="none">{t('inbox.unassigned')}</option>
          </select>
          <label className="visually-hidden" htmlFor="f-channel">
            {t('inbox.channelFilter')}
          </label>
          <select
            id="f-channel"
            value={filters.channelId}
            onChange={(e) => go({ channelId: e.target.value })}
          >
            <option value="">{t('inbox.allChannels')}</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name || c.display || c.accountId}
              </option>
            ))}
          </select>
          <label className="visually-hidden" htmlFor="f-label">
            {t('inbox.labelFilter')}
          </label>
          <select id="f-label" value={filters.labelId} onChange={(e) => go({ labelId: e.target.value })}>
            <option value="">{t('inbox.allLabels')}</option>
            {labels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
          <label className="unread-toggle">
            <input
              type="checkbox"
              checked={filters.unread}
              onChange={(e) => go({ unread: e.target.checked })}
            />{' '}
            {t('inbox.unreadOnly')}
          </label>
        </div>
      </div>
      {query.isPending && <Loading />}
      <ErrorAlert error={query.error} />
      {query.isSuccess && items.length === 0 && (
        <div className="empty small-empty">
          <p className="empty-title">{t('inbox.empty')}</p>
          <p>{t('inbox.emptyDetail')}</p>
        </div>
      )}
      <ul className="conv-list" aria-label={t('inbox.conversations')}>
        {items.map((c) => {
          const name = contactLabel(c, t('contact.unnamed'));
          const ch = channelOf.get(c.channelId);
          const selected = c.id === selectedId;
          return (
            <li
              key={c.id}
              className={`conv-item ${selected ? 'conv-selected' : ''} ${c.unreadCount ? 'conv-unread' : ''}`}
            >
              <Link
                to={`${base}/${c.id}${filtersToSearch(filters)}`}
                aria-current={selected ? 'true' : undefined}
                data-conversation-id={c.id}
              >
                <span className="conv-top">
                  <span className="conv-name">
                    {ch && (
                      <span aria-hidden="true" className="conv-channel">
                        {CHANNEL_ICON[ch.kind]}{' '}
                      </span>
                    )}
                    {name}
                  </span>
                  <time className="conv-time" dateTime={c.lastMessageAt}>
                    {shortTime(c.lastMessageAt)}
                  </time>
                </span>
                <span className="conv-bottom">
                  <span className="conv-preview">{c.preview ?? ''}</span>
                  {c.unreadCount > 0 && (
                    <span className="unread-badge">
                      {c.unreadCount}
                      <span className="visually-hidden"> {t('inbox.unread', { count: c.unreadCount })}</span>
                    </span>
                  )}
                </span>
                {c.labelIds.length > 0 && (
                  <span className="conv-labels">
                    {c.labelIds.map((id) => {
                      const l = labelOf.get(id);
                      return l ? (
                        <span key={id} className="label-chip" style={{ borderColor: l.color }}>
                          <span className="label-dot" style={{ background: l.color }} aria-hidden="true" />
                          {l.name}
                        </span>
                      ) : null;
                    })}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
        {hasNextPage && (
          <li ref={sentinel} className="conv-more">
            <button
              type="button"
              className="link-button"
              disabled={isFetchingNextPage}
              onClick={() => void fetchNextPage()}
            >
              {isFetchingNextPage ? t('common.loading') : t('inbox.loadMore')}
            </button>
          </li>
        )}
      </ul>
    </div>
  );
}

export function shortTime(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  return d.toDateString() === now.toDateString()
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}
