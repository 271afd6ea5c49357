import type { ReactNode } from 'react';
import { PageTitle } from '../ui/ui';

/** The frame every signed-out screen shares. */
export function AuthCard({
  title,
  intro,
  children,
  footer,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <section className="page page--narrow auth">
      <div className="card">
        <PageTitle title={title}>{title}</PageTitle>
        {intro && <p className="muted">{intro}</p>}
        {children}
      </div>
      {footer && <div className="auth__footer">{footer}</div>}
    </section>
  );
}
