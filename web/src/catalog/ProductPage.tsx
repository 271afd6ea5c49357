import { Fragment, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { getProduct } from '../api/catalog';
import { ApiError } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { Empty, ErrorBanner, Loading, PageTitle } from '../ui/ui';
import { useLoad } from '../ui/use-load';

export default function ProductPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [state, reload] = useLoad(() => getProduct(id), [id]);
  const [shown, setShown] = useState(0);
  const back = (
    <p>
      <Link
        to="/catalog"
        onClick={(e) => {
          // back to the same results (filters and page) when we came from them
          if (window.history.length > 1) {
            e.preventDefault();
            void navigate(-1);
          }
        }}
      >
        ← {t('product.back')}
      </Link>
    </p>
  );
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') {
    const missing = state.error instanceof ApiError && state.error.code === 'NOT_FOUND';
    return (
      <section className="page">
        <PageTitle title={t('product.title')}>{t('product.title')}</PageTitle>
        {back}
        {missing ? (
          <Empty title={t('product.missing')}>
            <p>{t('product.missingHint')}</p>
          </Empty>
        ) : (
          <ErrorBanner error={state.error} onRetry={reload} />
        )}
      </section>
    );
  }
  const p = state.data;
  const attributes = Object.entries(p.attributes);
  const image = p.imageUrls[shown] ?? p.imageUrls[0];
  return (
    <section className="page page--wide product">
      {back}
      <div className="product__layout">
        <div className="product__gallery">
          {image ? (
            <img
              className="product__image"
              src={image}
              alt={t('product.imageOf', { name: p.name, n: shown + 1 })}
              referrerPolicy="no-referrer"
            />
          ) : (
            <div className="product__image product__image--none">{t('product.noImage')}</div>
          )}
          {p.imageUrls.length > 1 && (
            <ul className="product__thumbs plain" aria-label={t('product.images')}>
              {p.imageUrls.map((url, i) => (
                <li key={url}>
                  <button
                    type="button"
                    aria-pressed={i === shown}
                    aria-label={t('product.showImage', { n: i + 1 })}
                    onClick={() => setShown(i)}
                  >
                    <img src={url} alt="" loading="lazy" referrerPolicy="no-referrer" />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="product__info">
          {p.category.length > 0 && (
            <nav aria-label={t('product.category')} className="crumbs small">
              <ol>
                {p.category.map((c, i) => (
                  <li key={i}>
                    <Link to={`/catalog?category=${encodeURIComponent(p.category.slice(0, i + 1).join(' > '))}`}>{c}</Link>
                  </li>
                ))}
              </ol>
            </nav>
          )}
          <PageTitle title={p.name}>{p.name}</PageTitle>
          {p.brand && <p className="lead">{p.brand}</p>}
          <p className="product__buy">
            {p.price ? (
              <strong className="price price--large">{i18n.price(p.price)}</strong>
            ) : (
              <span className="muted">{t('product.noPrice')}</span>
            )}
            {p.inStock !== null && (
              <span className={`badge ${p.inStock ? 'badge--available' : 'badge--out'}`}>
                {p.inStock
                  ? p.stock !== null
                    ? t('product.stockCount', { count: i18n.number(p.stock) })
                    : t('product.inStock')
                  : t('product.outOfStock')}
              </span>
            )}
          </p>
          {p.description && <p className="prewrap">{p.description}</p>}
          <h2>{t('product.details')}</h2>
          <dl className="facts">
            <dt>{t('product.sku')}</dt>
            <dd>{p.sku}</dd>
            {p.ean && (
              <>
                <dt>{t('product.ean')}</dt>
                <dd>{p.ean}</dd>
              </>
            )}
            {attributes.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </Fragment>
            ))}
            <dt>{t('product.updated')}</dt>
            <dd>{i18n.dateTime(p.updatedAt)}</dd>
          </dl>
          {p.url && /^https?:\/\//i.test(p.url) && (
            <p>
              <a href={p.url} target="_blank" rel="noopener noreferrer">
                {t('product.partnerPage')}
              </a>
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
