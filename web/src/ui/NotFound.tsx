import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n';
import { PageTitle } from './ui';

export function NotFound({ forbidden = false }: { forbidden?: boolean }) {
  const { t } = useI18n();
  const title = forbidden ? t('notFound.forbiddenTitle') : t('notFound.title');
  return (
    <section className="page page--narrow">
      <PageTitle title={title}>{title}</PageTitle>
      <p>{forbidden ? t('notFound.forbiddenText') : t('notFound.text')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}
