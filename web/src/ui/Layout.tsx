import { useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation, useNavigate } from 'react-router';
import { canImport, isAdmin, isStaff, useSession } from '../auth/session';
import { LOCALES, useI18n } from '../i18n/i18n';

export function Layout({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const user = session.state.status === 'signedIn' ? session.state.user : null;
  const links: { to: string; label: string }[] = user
    ? [
        { to: '/profile', label: t('nav.profile') },
        { to: '/catalog', label: t('nav.catalog') },
        ...(canImport(user) ? [{ to: '/imports', label: t('nav.imports') }] : []),
        ...(isStaff(user) ? [{ to: '/freelancers', label: t('nav.freelancers') }] : []),
        ...(isAdmin(user) ? [{ to: '/admin/users', label: t('nav.users') }] : []),
        ...(isStaff(user) ? [{ to: '/admin/dead-letters', label: t('nav.deadLetters') }] : []),
        ...(isAdmin(user) ? [{ to: '/admin/partners', label: t('nav.partners') }] : []),
        ...(isAdmin(user) ? [{ to: '/admin/api-keys', label: t('nav.apiKeys') }] : []),
        ...(isAdmin(user) ? [{ to: '/admin/mailbox', label: t('nav.mailbox') }] : []),
      ]
    : [];
  const other = LOCALES.find((l) => l !== locale)!;
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <Link to="/" className="brand">
            Atelier
          </Link>
          <button
            type="button"
            className="button button--ghost lang"
            lang={other}
            title={t('nav.switchLanguage')}
            onClick={() => setLocale(other)}
          >
            {other === 'en' ? 'English' : 'Français'}
          </button>
          {user && (
            <button
              type="button"
              className="button button--ghost menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((o) => !o)}
            >
              {t('nav.menu')}
            </button>
          )}
          {user && (
            <nav
              id="main-nav"
              aria-label={t('nav.label')}
              className={`mainnav${menuOpen ? ' mainnav--open' : ''}${links.length > 6 ? ' mainnav--long' : ''}`}
            >
              <ul>
                {links.map((l) => (
                  <li key={l.to}>
                    <NavLink to={l.to}>{l.label}</NavLink>
                  </li>
                ))}
                <li>
                  <NavLink to="/account">{t('nav.account')}</NavLink>
                </li>
                <li>
                  <button
                    type="button"
                    className="button button--ghost signout"
                    onClick={() => {
                      void session.signOut().then(() => navigate('/signin', { replace: true }));
                    }}
                  >
                    {t('nav.signOut')}
                  </button>
                </li>
              </ul>
            </nav>
          )}
        </div>
      </header>
      <main id="main">
        {session.state.status === 'signedOut' && session.state.ended && (
          <div className="banner banner--warning" role="status">
            {t('auth.sessionEnded')}
          </div>
        )}
        {children}
      </main>
    </>
  );
}
