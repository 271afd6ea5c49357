import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../modules/identity/index.js';
import type { CatalogDeps } from '../modules/catalog/deps.js';
import { csvCell } from '../modules/catalog/import/index.js';
import { startImport } from '../modules/catalog/operations/imports.js';

/** The demo runs as the bootstrap admin would: a principal that never signs in. */
const DEMO_ACTOR: Principal = { sub: 'demo-data', email: 'demo@atelier.local', groups: ['admin'] };

const BRANDS = ['Cristel', 'de Buyer', 'Le Creuset', 'Opinel', 'Staub', 'Tefal', 'Peugeot', 'Emile Henry'];
const KINDS: { category: string[]; names: string[]; basePrice: number }[] = [
  { category: ['Maison', 'Cuisine', 'Poêles'], names: ['Poêle', 'Sauteuse', 'Crêpière', 'Wok'], basePrice: 2990 },
  { category: ['Maison', 'Cuisine', 'Casseroles'], names: ['Casserole', 'Faitout', 'Cocotte'], basePrice: 3990 },
  {
    category: ['Maison', 'Cuisine', 'Couteaux'],
    names: ['Couteau d’office', 'Couteau de chef', 'Couteau à pain'],
    basePrice: 1490,
  },
  { category: ['Maison', 'Table', 'Moulins'], names: ['Moulin à poivre', 'Moulin à sel'], basePrice: 2490 },
  { category: ['Maison', 'Cuisine', 'Plats'], names: ['Plat à four', 'Plat à tarte', 'Terrine'], basePrice: 1990 },
];
const MATERIALS = ['inox', 'fonte', 'acier', 'céramique', 'cuivre'];
const COLORS = ['rouge', 'noir', 'bleu', 'blanc', 'vert'];
const SIZES = [16, 20, 24, 28, 32];

/** A deterministic catalog of `count` products as CSV (`;`, French headers, as partners send them). */
export function demoCatalogCsv(count = 300): string {
  const lines = ['Référence;Désignation;Marque;Catégorie;Prix;Devise;Stock;Description;Matière;Couleur'];
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const name = kind.names[i % kind.names.length]!;
    const brand = BRANDS[(i * 7) % BRANDS.length]!;
    const material = MATERIALS[(i * 3) % MATERIALS.length]!;
    const color = COLORS[(i * 5) % COLORS.length]!;
    const size = SIZES[i % SIZES.length]!;
    const price = ((kind.basePrice + ((i * 137) % 9000)) / 100).toFixed(2).replace('.', ',');
    const cells = [
      `DEMO-${String(i + 1).padStart(4, '0')}`,
      `${name} ${material} ${size} cm`,
      brand,
      kind.category.join(' > '),
      price,
      'EUR',
      String((i * 11) % 40),
      `${name} en ${material}, ${color}, ${size} cm de diamètre. Tous feux${material === 'céramique' ? ' sauf induction' : ', induction comprise'}.`,
      material,
      color,
    ];
    lines.push(cells.map((c) => (/[;"\n]/.test(c) ? csvCell(c) : c)).join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A demo partner and its catalog, imported through the real pipeline at first start, so that a newcomer can
 * search at once. Skipped when any partner exists.
 */
export async function seedDemoCatalog(deps: CatalogDeps, log: FastifyBaseLogger): Promise<void> {
  if ((await deps.catalog.listPartners()).length) return;
  const now = deps.clock.now().toISOString();
  const partner = {
    id: deps.ids.newId(),
    slug: 'maison-demo',
    name: 'Maison Démo',
    contactEmail: 'catalogue@demo.atelier.local',
    createdAt: now,
    updatedAt: now,
  };
  await deps.catalog.createPartner(partner);
  const imp = await startImport(
    deps,
    DEMO_ACTOR,
    partner.id,
    { kind: 'bytes', fileName: 'demo-catalog.csv', bytes: Buffer.from(demoCatalogCsv(), 'utf8') },
    {},
  );
  log.info({ partnerId: partner.id, importId: imp.id }, 'demo partner and catalog import queued (DEMO_DATA=false to skip)');
}
