import { useI18n } from '../i18n/index.tsx';
import { Link } from '../router.tsx';
import { PageHeading } from '../ui/components.tsx';

export function NotFoundPage({ what }: { what: 'page' | 'workspace' }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeading title={t('notFound.title')}>{t('notFound.title')}</PageHeading>
      <p className="notice notice-error" role="alert">
        {what === 'workspace' ? t('notFound.workspace') : t('notFound.page')}
      </p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}

export function ForbiddenPage() {
  const { t } = useI18n();
  return (
    <>
      <h2>{t('forbidden.title')}</h2>
      <p className="notice notice-error" role="alert">
        {t('forbidden.body')}
      </p>
    </>
  );
}

export function NoWorkspacePage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeading title={t('noWorkspace.title')}>{t('noWorkspace.title')}</PageHeading>
      <p>{t('noWorkspace.body')}</p>
    </>
  );
}
