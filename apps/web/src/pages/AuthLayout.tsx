import type { ReactNode } from 'react';
import { LanguageSelect } from '../ui/components.tsx';
import { useI18n } from '../i18n/index.tsx';

/** The frame of the pages before sign-in: the brand, one card, the language switch. */
export function AuthLayout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="auth">
      <header className="auth-brand">
        <span className="brand-mark" aria-hidden="true">
          P
        </span>
        <span className="brand-name">Parley</span>
        <span className="auth-tagline">{t('app.tagline')}</span>
      </header>
      <main id="main" className="auth-card">
        {children}
      </main>
      <footer className="auth-footer">
        <LanguageSelect className="inline-field" />
      </footer>
    </div>
  );
}
