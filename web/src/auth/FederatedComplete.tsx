import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { exchangeFederatedCode } from '../api/client';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { ErrorBanner, Loading } from '../ui/ui';
import { AuthCard } from './AuthCard';
import { homeOf, useSession } from './session';

/** The provider's reasons (`#error=…`) that deserve their own sentence. */
const REASONS: Record<string, MessageKey> = {
  cancelled: 'federated.cancelled',
  email_not_verified: 'federated.email_not_verified',
  disabled: 'federated.disabled',
  state_mismatch: 'federated.expired',
};

/** Back from "sign in with …": exchanges the one-time code of the address fragment for a session. */
export default function FederatedComplete() {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const [reason, setReason] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const fragment = new URLSearchParams(location.hash.slice(1));
    // the code is single-use: out of the address bar and history at once
    history.replaceState(null, '', location.pathname);
    const code = fragment.get('code');
    if (!code) {
      setReason(fragment.get('error') ?? 'state_mismatch');
      return;
    }
    session
      .signIn(() => exchangeFederatedCode(code))
      .then(
        (result) => {
          if (result.status === 'signedIn') void navigate(homeOf(result.user), { replace: true });
          else setReason('mfa');
        },
        (err: unknown) => setError(err),
      );
  }, [session, navigate]);

  if (!reason && !error) return <Loading label={t('federated.title')} />;
  return (
    <AuthCard
      title={t('federated.failed')}
      footer={
        <p>
          <Link to="/signin">{t('federated.retry')}</Link>
        </p>
      }
    >
      {error !== null ? (
        <ErrorBanner error={error} />
      ) : (
        <div className="banner banner--error" role="alert">
          {reason === 'mfa' ? t('signIn.mfaSetupRequired') : t(REASONS[reason ?? ''] ?? 'federated.other')}
        </div>
      )}
    </AuthCard>
  );
}
