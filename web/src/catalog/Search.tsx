import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  listPartners,
  searchProducts,
  SORTS,
  type Partner,
  type PriceBucket,
  type SearchParams,
  type SearchResult,
  type Sort,
} from '../api/catalog';
import { isStaff, type User } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { Highlighted } from '../ui/Highlighted';
import { Empty, ErrorBanner, Loading, PageTitle, type Loadable } from '../ui/ui';

const listOf = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

function paramsOf(sp: URLSearchParams): SearchParams {
  const sort = sp.get('sort');
  return {
    q: sp.get('q') ?? '',
    brand: listOf(sp.get('brand')),
    partner: listOf(sp.get('partner')),
    category: sp.get('category') ?? '',
    priceMin: sp.get('priceMin') ?? '',
    priceMax: sp.get('priceMax') ?? '',
    inStock: sp.get('inStock') === 'true',
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : 'relevance',
    cursor: sp.get('cursor'),
  };
}

/** Price buckets count in minor units; filters take major units (2 decimals: the catalog's currencies). */
const major = (minor: number) => String(minor / 100);

export default function Search({ user }: { user: User }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [sp, setSp] = useSearchParams();
  const params = useMemo(() => paramsOf(sp), [sp]);
  const [text, setText] = useState(params.q);
  const [state, setState] = useState<Loadable<SearchResult>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // a newer query is loading while the previous results stay on screen
  const [loadedFor, setLoadedFor] = useState<SearchParams | null>(null);
  const pending = loadedFor !== params;
  // cursors of the pages before this one, to go back
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const [partners, setPartners] = useState<Partner[]>([]);
  const resultsRef = useRef<HTMLHeadingElement>(null);
  // filters fold away on phones, where the results come first
  const [filtersOpen, setFiltersOpen] = useState(() => window.matchMedia('(min-width: 900px)').matches);

  useEffect(() => {
    if (isStaff(user))
      listPartners().then(
        (r) => setPartners(r.items),
        () => setPartners([]),
      );
  }, [user]);

  // results follow the address; a newer query aborts the older one
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    searchProducts(params, ctl.signal).then(
      (data) => {
        setState({ status: 'ready', data });
        setLoadedFor(params);
      },
      (error: unknown) => {
        if (ctl.signal.aborted) return;
        setState({ status: 'error', error });
        setLoadedFor(params);
      },
    );
    return () => ctl.abort();
  }, [params, attempt]);

  // instant results: the address follows the box as you type (debounced)
  useEffect(() => {
    if (text === params.q) return;
    const timer = setTimeout(() => update({ q: text }), 200);
    return () => clearTimeout(timer);
  }, [text]);

  function update(patch: Partial<SearchParams>, keepCursor = false) {
    const next = { ...params, ...patch, ...(keepCursor ? {} : { cursor: null }) };
    if (!keepCursor) setPrevious([]);
    const s = new URLSearchParams();
    if (next.q) s.set('q', next.q);
    if (next.brand.length) s.set('brand', next.brand.join(','));
    if (next.partner.length) s.set('partner', next.partner.join(','));
    if (next.category) s.set('category', next.category);
    if (next.priceMin) s.set('priceMin', next.priceMin);
    if (next.priceMax) s.set('priceMax', next.priceMax);
    if (next.inStock) s.set('inStock', 'true');
    if (next.sort !== 'relevance') s.set('sort', next.sort);
    if (next.cursor) s.set('cursor', next.cursor);
    setSp(s, { replace: patch.q !== undefined });
  }
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const filtered =
    params.brand.length + params.partner.length > 0 || params.category || params.priceMin || params.priceMax || params.inStock;
  const partnerName = (id: string) => partners.find((p) => p.id === id)?.name ?? id;
  const bucketLabel = (b: PriceBucket) =>
    b.minMinor === null
      ? t('search.priceUnder', { max: i18n.price({ amount: (b.maxMinor ?? 0) / 100, currency: 'EUR' }) })
      : b.maxMinor === null
        ? t('search.priceOver', { min: i18n.price({ amount: b.minMinor / 100, currency: 'EUR' }) })
        : t('search.priceBetween', {
            min: i18n.price({ amount: b.minMinor / 100, currency: 'EUR' }),
            max: i18n.price({ amount: b.maxMinor / 100, currency: 'EUR' }),
          });
  const facets = state.status === 'ready' ? state.data.facets : {};

  return (
    <section className="page page--wide catalog">
      <PageTitle title={t('search.title')}>{t('search.title')}</PageTitle>
      <form className="searchbar" role="search" onSubmit={(e) => (e.preventDefault(), update({ q: text }))}>
        <label htmlFor="catalog-q" className="sr-only">
          {t('search.query')}
        </label>
        <input
          id="catalog-q"
          type="search"
          value={text}
          placeholder={t('search.placeholder')}
          autoComplete="off"
          onChange={(e) => setText(e.target.value)}
        />
        <label className="sort">
          <span>{t('search.sort')}</span>
          <select value={params.sort} onChange={(e) => update({ sort: e.target.value as Sort })}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`search.sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div className="catalog__layout">
        <details className="facets" open={filtersOpen} onToggle={(e) => setFiltersOpen((e.target as HTMLDetailsElement).open)}>
          <summary className="facets__title">
            <h2>{t('search.filters')}</h2>
          </summary>
          {filtered && (
            <button
              type="button"
              className="button button--small button--ghost"
              onClick={() => update({ brand: [], partner: [], category: '', priceMin: '', priceMax: '', inStock: false })}
            >
              {t('search.clearFilters')}
            </button>
          )}
          <label className="checkbox">
            <input type="checkbox" checked={params.inStock} onChange={(e) => update({ inStock: e.target.checked })} />
            {t('search.inStock')}
          </label>
          {params.category && (
            <p className="small">
              {t('search.inCategory')} <strong>{params.category}</strong>{' '}
              <button type="button" className="linklike" onClick={() => update({ category: '' })}>
                {t('common.remove')}
              </button>
            </p>
          )}
          {facets.category && facets.category.length > 0 && (
            <fieldset className="facet">
              <legend>{t('search.category')}</legend>
              <ul className="plain">
                {facets.category
                  .filter((c) => c.value !== params.category)
                  .slice(0, 12)
                  .map((c) => (
                    <li key={c.value}>
                      <button type="button" className="facet__link" onClick={() => update({ category: c.value })}>
                        {c.value} <span className="count">{i18n.number(c.count)}</span>
                      </button>
                    </li>
                  ))}
              </ul>
            </fieldset>
          )}
          {facets.brand && facets.brand.length > 0 && (
            <fieldset className="facet">
              <legend>{t('search.brand')}</legend>
              {facets.brand.slice(0, 15).map((b) => (
                <label key={b.value} className="checkbox">
                  <input
                    type="checkbox"
                    checked={params.brand.includes(b.value)}
                    onChange={() => update({ brand: toggle(params.brand, b.value) })}
                  />
                  {b.value} <span className="count">{i18n.number(b.count)}</span>
                </label>
              ))}
            </fieldset>
          )}
          {facets.partner && facets.partner.length > 1 && partners.length > 0 && (
            <fieldset className="facet">
              <legend>{t('search.partner')}</legend>
              {facets.partner.map((p) => (
                <label key={p.value} className="checkbox">
                  <input
                    type="checkbox"
                    checked={params.partner.includes(p.value)}
                    onChange={() => update({ partner: toggle(params.partner, p.value) })}
                  />
                  {partnerName(p.value)} <span className="count">{i18n.number(p.count)}</span>
                </label>
              ))}
            </fieldset>
          )}
          <fieldset className="facet">
            <legend>{t('search.price')}</legend>
            {facets.price && facets.price.some((b) => b.count > 0) && (
              <ul className="plain">
                {facets.price
                  .filter((b) => b.count > 0)
                  .map((b) => (
                    <li key={`${b.minMinor}-${b.maxMinor}`}>
                      <button
                        type="button"
                        className="facet__link"
                        onClick={() =>
                          update({
                            priceMin: b.minMinor === null ? '' : major(b.minMinor),
                            priceMax: b.maxMinor === null ? '' : major(b.maxMinor),
                          })
                        }
                      >
                        {bucketLabel(b)} <span className="count">{i18n.number(b.count)}</span>
                      </button>
                    </li>
                  ))}
              </ul>
            )}
            <PriceRange
              key={`${params.priceMin}|${params.priceMax}`}
              min={params.priceMin}
              max={params.priceMax}
              onApply={(priceMin, priceMax) => update({ priceMin, priceMax })}
            />
          </fieldset>
        </details>
        <div className={`results${pending ? ' results--pending' : ''}`} aria-busy={pending}>
          <h2 className="sr-only" ref={resultsRef}>
            {t('search.results')}
          </h2>
          {state.status === 'loading' && <Loading />}
          {state.status === 'error' && <ErrorBanner error={state.error} onRetry={() => setAttempt((a) => a + 1)} />}
          {state.status === 'ready' && (
            <>
              <p className="results__count" role="status" aria-live="polite">
                {state.data.estimatedTotal === 0
                  ? t('search.noResult')
                  : t(state.data.totalIsExact ? 'search.count' : 'search.countAbout', {
                      count: i18n.number(state.data.estimatedTotal),
                    })}
              </p>
              {state.data.items.length === 0 ? (
                <Empty title={t('search.emptyTitle')}>
                  <p>{filtered ? t('search.emptyFiltered') : t('search.emptyHint')}</p>
                </Empty>
              ) : (
                <ul className="products">
                  {state.data.items.map(({ product: p, highlights: h }) => (
                    <li key={p.id} className="product-card">
                      <div className="product-card__image">
                        {p.imageUrls[0] ? (
                          <img src={p.imageUrls[0]} alt="" loading="lazy" referrerPolicy="no-referrer" />
                        ) : (
                          <span aria-hidden="true">▢</span>
                        )}
                      </div>
                      <div className="product-card__body">
                        <h3 className="product-card__name">
                          <Link to={`/catalog/products/${encodeURIComponent(p.id)}`}>
                            <Highlighted html={h.name} fallback={p.name} />
                          </Link>
                        </h3>
                        {p.brand && (
                          <p className="muted small">
                            <Highlighted html={h.brand} fallback={p.brand} />
                          </p>
                        )}
                        {h.description && (
                          <p className="product-card__desc small">
                            <Highlighted html={h.description} />
                          </p>
                        )}
                        <p className="product-card__meta">
                          {p.price && <strong className="price">{i18n.price(p.price)}</strong>}
                          {p.inStock !== null && (
                            <span className={`badge ${p.inStock ? 'badge--available' : 'badge--out'}`}>
                              {p.inStock ? t('product.inStock') : t('product.outOfStock')}
                            </span>
                          )}
                        </p>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              <nav className="pager" aria-label={t('search.pages')}>
                {previous.length > 0 && (
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      const before = previous.slice(0, -1);
                      const cursor = previous[previous.length - 1] ?? null;
                      update({ cursor }, true);
                      setPrevious(before);
                      resultsRef.current?.focus();
                    }}
                  >
                    {t('common.previous')}
                  </button>
                )}
                {state.data.nextCursor && (
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      setPrevious([...previous, params.cursor]);
                      update({ cursor: state.data.nextCursor }, true);
                    }}
                  >
                    {t('common.next')}
                  </button>
                )}
              </nav>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function PriceRange({ min, max, onApply }: { min: string; max: string; onApply: (min: string, max: string) => void }) {
  const { t } = useI18n();
  const [lo, setLo] = useState(min);
  const [hi, setHi] = useState(max);
  return (
    <div className="price-range">
      <label>
        <span>{t('search.priceMin')}</span>
        <input type="number" min={0} step="0.01" inputMode="decimal" value={lo} onChange={(e) => setLo(e.target.value)} />
      </label>
      <label>
        <span>{t('search.priceMax')}</span>
        <input type="number" min={0} step="0.01" inputMode="decimal" value={hi} onChange={(e) => setHi(e.target.value)} />
      </label>
      <button type="button" className="button button--small" onClick={() => onApply(lo, hi)}>
        {t('search.applyPrice')}
      </button>
    </div>
  );
}
