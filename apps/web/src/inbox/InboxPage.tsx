import { useCallback, useEffect, useRef, useState } from 'react';
import type { SignedIn } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { navigate, useLocation } from '../router.tsx';
import { PageHeading } from '../ui/components.tsx';
import { COMPOSE_EVENT } from './Composer.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ConversationPane } from './ConversationPane.tsx';
import { filtersFrom, filtersToSearch, useChannels, useLabels, useMembers } from './data.ts';

const isTyping = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/** `/inbox` and `/inbox/:conversationId`: the list, the conversation, the contact. */
export function InboxPage({
  me,
  workspaceId: ws,
  conversationId,
  canManageChannels,
}: {
  me: SignedIn;
  workspaceId: string;
  conversationId: string | null;
  canManageChannels: boolean;
}) {
  const { t } = useI18n();
  const { search } = useLocation();
  const filters = filtersFrom(search);
  const channels = useChannels(ws);
  const labels = useLabels(ws);
  const members = useMembers(ws);
  const ids = useRef<string[]>([]);
  const onItems = useCallback((list: string[]) => {
    ids.current = list;
  }, []);
  const help = useRef<HTMLDialogElement>(null);
  const [, force] = useState(0);
  const qs = filtersToSearch(filters);
  const base = `/w/${ws}/inbox`;

  // Keyboard shortcuts (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      const list = ids.current;
      const at = conversationId ? list.indexOf(conversationId) : -1;
      if (e.key === 'j' || e.key === 'k') {
        const next = list[e.key === 'j' ? at + 1 : Math.max(0, at - 1)];
        if (next) {
          e.preventDefault();
          navigate(`${base}/${next}${qs}`);
        }
      } else if ((e.key === 'r' || e.key === 'n') && conversationId) {
        e.preventDefault();
        window.dispatchEvent(new CustomEvent(COMPOSE_EVENT, { detail: e.key === 'r' ? 'reply' : 'note' }));
      } else if (e.key === 'e' && conversationId) {
        e.preventDefault();
        window.dispatchEvent(new CustomEvent('parley:triage', { detail: 'resolve' }));
      } else if (e.key === '/') {
        e.preventDefault();
        document.getElementById('conv-search')?.focus();
      } else if (e.key === '?') {
        e.preventDefault();
        help.current?.showModal();
        force((n) => n + 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [base, qs, conversationId]);

  const noChannels = channels.isSuccess && channels.data.length === 0;

  return (
    <div className={`inbox ${conversationId ? 'inbox-has-conv' : ''}`}>
      <div className="inbox-list">
        <div className="inbox-heading">
          <PageHeading title={t('inbox.title')}>{t('inbox.title')}</PageHeading>
          <button
            type="button"
            className="link-button small"
            aria-keyshortcuts="?"
            onClick={() => help.current?.showModal()}
          >
            {t('shortcuts.show')}
          </button>
        </div>
        {noChannels && (
          <p className="notice notice-info">
            {canManageChannels ? t('inbox.noChannelsAdmin') : t('inbox.noChannels')}{' '}
            {canManageChannels && <a href={`/w/${ws}/settings/channels`}>{t('settings.channels')}</a>}
          </p>
        )}
        <ConversationList
          ws={ws}
          filters={filters}
          selectedId={conversationId}
          channels={channels.data ?? []}
          labels={labels.data ?? []}
          onItems={onItems}
        />
      </div>
      <section className="inbox-conv" aria-label={t('inbox.conversation')}>
        {conversationId ? (
          <ConversationPane
            ws={ws}
            id={conversationId}
            backTo={`${base}${qs}`}
            channels={channels.data ?? []}
            members={members.data ?? []}
            meId={me.user.id}
          />
        ) : (
          <div className="empty conv-placeholder">
            <p className="empty-title">{t('inbox.pick')}</p>
            <p>{t('inbox.pickDetail')}</p>
          </div>
        )}
      </section>
      <dialog ref={help} className="help-dialog" aria-labelledby="shortcuts-title">
        <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
        <dl className="shortcuts">
          {(
            [
              ['j', 'shortcuts.next'],
              ['k', 'shortcuts.prev'],
              ['r', 'shortcuts.reply'],
              ['n', 'shortcuts.note'],
              ['e', 'shortcuts.resolve'],
              ['/', 'shortcuts.search'],
              ['?', 'shortcuts.help'],
            ] as const
          ).map(([key, label]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{t(label)}</dd>
            </div>
          ))}
        </dl>
        <p className="hint">{t('shortcuts.composer')}</p>
        <form method="dialog">
          <button type="submit" className="button" autoFocus>
            {t('common.close')}
          </button>
        </form>
      </dialog>
    </div>
  );
}
