/**
 * `/agent/activites/{id}/facturation`: "Tarification" of an activity: its
 * régie, what it bills (reserved or attended days), its fees, and its
 * tariff's versions, each a grid of quotient familial brackets
 * "De … € à … € : … € par repas", the last one "et plus", with the
 * reduction from the second child, the price outside the commune and the
 * default price. Versions already used by issued invoices are shown
 * read-only, with why. Every server error is shown on its field.
 */
import './tariff.css';

import { useState } from 'preact/hooks';

import type { FieldProblem } from '../api';
import { type BilledOn, type BillingView, type TariffVersion, type Unit, invoicingSettings } from '../api/invoicing-settings';
import { agent } from '../api/agent';
import { Choices, ErrorSummary, FieldError, InputField, RequiredNote, SelectField, SubmitButton, describedBy, errorId, formErrors, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { euros, parseEuros, shortDate } from './format';
import { AgentPage, Result } from './ui';

/** Each unit: its name after "par", and its label in the list. */
export const UNITS: Record<Unit, { per: string; label: string }> = {
  meal: { per: 'repas', label: 'Repas' },
  slot: { per: 'créneau', label: "Créneau (l'horaire de l'activité)" },
  half_day: { per: 'demi-journée', label: 'Demi-journée' },
  day: { per: 'journée', label: 'Journée' },
};

const BILLED_ON: [BilledOn, string][] = [
  ['reserved', 'Les jours réservés'],
  ['attended', 'Les jours de présence'],
];

type ReductionKind = 'none' | 'percent' | 'cents';

interface BracketForm {
  from: string;
  to: string;
  price: string;
}

interface VersionForm {
  /** Stable key of the row. */
  key: number;
  /** In force on or before the last day issued: sent back as it was. */
  frozen: TariffVersion | null;
  effectiveFrom: string;
  unit: Unit;
  brackets: BracketForm[];
  reduction: ReductionKind;
  reductionValue: string;
  outside: string;
  defaultPrice: string;
}

let nextKey = 1;

/** "3,50" from cents (for an input). */
const amountText = (cents: number | null | undefined) => (cents == null ? '' : (cents / 100).toFixed(2).replace('.', ','));

function versionForm(v: TariffVersion, issuedThrough: string | null | undefined): VersionForm {
  const r = v.second_child as { percent?: number; cents?: number } | null | undefined;
  return {
    key: nextKey++,
    frozen: issuedThrough && v.effective_from <= issuedThrough ? v : null,
    effectiveFrom: v.effective_from,
    unit: v.unit,
    brackets: v.brackets.map((b) => ({ from: String(b.from_euros), to: b.to_euros == null ? '' : String(b.to_euros), price: amountText(b.cents) })),
    reduction: r?.percent != null ? 'percent' : r?.cents != null ? 'cents' : 'none',
    reductionValue: r?.percent != null ? String(r.percent) : r?.cents != null ? amountText(r.cents) : '',
    outside: amountText(v.outside_cents),
    defaultPrice: amountText(v.default_cents),
  };
}

function blankVersion(from?: VersionForm): VersionForm {
  return {
    key: nextKey++,
    frozen: null,
    effectiveFrom: '',
    unit: from?.unit ?? 'meal',
    brackets: from ? from.brackets.map((b) => ({ ...b })) : [{ from: '0', to: '', price: '' }],
    reduction: from?.reduction ?? 'none',
    reductionValue: from?.reductionValue ?? '',
    outside: from?.outside ?? '',
    defaultPrice: from?.defaultPrice ?? '',
  };
}

// ---- field ids: each API path has its element ----------------------------------

const vid = (i: number) => `v${i}`;
const bid = (i: number, j: number, what: 'de' | 'a' | 'prix') => `v${i}-t${j}-${what}`;

const FIXED_FIELDS: Record<string, string> = {
  regie_id: 'tarif-regie',
  billed_on: 'tarif-facture',
  unexcused_fee_cents: 'tarif-penalite-absence',
  unreserved_fee_cents: 'tarif-penalite-arrivee',
  versions: 'tarif-versions',
};

function fieldIds(versions: VersionForm[]): Record<string, string> {
  const ids: Record<string, string> = { ...FIXED_FIELDS };
  versions.forEach((v, i) => {
    const at = `versions[${i}]`;
    ids[at] = vid(i);
    ids[`${at}.effective_from`] = `${vid(i)}-debut`;
    ids[`${at}.unit`] = `${vid(i)}-unite`;
    ids[`${at}.brackets`] = `${vid(i)}-tranches`;
    ids[`${at}.second_child`] = `${vid(i)}-reduction-valeur`;
    ids[`${at}.outside_cents`] = `${vid(i)}-hors`;
    ids[`${at}.default_cents`] = `${vid(i)}-defaut`;
    v.brackets.forEach((_, j) => {
      ids[`${at}.brackets[${j}].from_euros`] = bid(i, j, 'de');
      ids[`${at}.brackets[${j}].to_euros`] = bid(i, j, 'a');
      ids[`${at}.brackets[${j}].cents`] = bid(i, j, 'prix');
    });
  });
  return ids;
}

// ---- the body, checked for what only the browser can see (numbers) --------------

const QF = /^\d{1,6}$/;

function toBody(
  regie: string,
  billedOn: BilledOn,
  unexcused: string,
  unreserved: string,
  versions: VersionForm[],
  version: number,
): { body: Parameters<typeof invoicingSettings.saveBilling>[1] | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, code: 'invalid_value', message });
  const fee = (field: string, text: string, what: string) => {
    if (!text.trim()) return null;
    const c = parseEuros(text);
    if (c === null) bad(field, `${what} : indiquez un montant en euros, par exemple 2,50.`);
    return c;
  };
  if (!regie) problems.push({ field: 'regie_id', code: 'required', message: 'Choisissez la régie qui facture cette activité.' });
  const unexcusedCents = fee('unexcused_fee_cents', unexcused, "Pénalité pour une absence non justifiée");
  const unreservedCents = fee('unreserved_fee_cents', unreserved, 'Pénalité pour une arrivée sans réservation');
  const out: TariffVersion[] = versions.map((v, i) => {
    if (v.frozen) return v.frozen;
    const at = `versions[${i}]`;
    const n = i + 1;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.effectiveFrom)) bad(`${at}.effective_from`, `Version ${n} : indiquez la date à partir de laquelle elle s'applique.`);
    const last = v.brackets.length - 1;
    const brackets = v.brackets.map((b, j) => {
      const t = `Version ${n}, tranche ${j + 1}`;
      if (!QF.test(b.from.trim())) bad(`${at}.brackets[${j}].from_euros`, `${t} : indiquez le QF de début, un nombre entier d'euros.`);
      if (j !== last && !QF.test(b.to.trim())) bad(`${at}.brackets[${j}].to_euros`, `${t} : indiquez le QF de fin, un nombre entier d'euros.`);
      const cents = parseEuros(b.price);
      if (cents === null) bad(`${at}.brackets[${j}].cents`, `${t} : indiquez le prix en euros, par exemple 3,50.`);
      return { from_euros: Number(b.from.trim()), to_euros: j === last ? null : Number(b.to.trim()), cents: cents ?? 0 };
    });
    let second_child: TariffVersion['second_child'] = null;
    if (v.reduction === 'percent') {
      const p = v.reductionValue.trim();
      if (!/^\d{1,3}$/.test(p) || Number(p) > 100) bad(`${at}.second_child`, `Version ${n} : la réduction est un pourcentage de 0 à 100.`);
      else second_child = { percent: Number(p) };
    } else if (v.reduction === 'cents') {
      const c = parseEuros(v.reductionValue);
      if (c === null) bad(`${at}.second_child`, `Version ${n} : indiquez la réduction en euros, par exemple 0,50.`);
      else second_child = { cents: c };
    }
    let outside: number | null = null;
    if (v.outside.trim()) {
      outside = parseEuros(v.outside);
      if (outside === null) bad(`${at}.outside_cents`, `Version ${n} : indiquez le prix hors commune en euros, ou laissez vide.`);
    }
    const def = parseEuros(v.defaultPrice);
    if (def === null) bad(`${at}.default_cents`, `Version ${n} : indiquez le prix appliqué quand le QF est inconnu.`);
    return { effective_from: v.effectiveFrom, unit: v.unit, brackets, second_child, outside_cents: outside, default_cents: def ?? 0 };
  });
  if (problems.length) return { body: null, problems };
  return {
    body: { regie_id: regie, billed_on: billedOn, unexcused_fee_cents: unexcusedCents, unreserved_fee_cents: unreservedCents, versions: out, version },
    problems,
  };
}

// ---- pieces -----------------------------------------------------------------

/** A version used by issued invoices: read-only. */
function FrozenVersion({ v, i, through, error }: { v: TariffVersion; i: number; through: string; error: string | undefined }) {
  const per = UNITS[v.unit].per;
  const r = v.second_child as { percent?: number; cents?: number } | null | undefined;
  return (
    <section class="panel tarif-version" id={vid(i)} tabIndex={-1} aria-labelledby={`${vid(i)}-titre`}>
      <h3 id={`${vid(i)}-titre`}>Version à partir du {shortDate(v.effective_from)} (figée)</h3>
      <FieldError id={vid(i)} message={error} />
      <p class="notice">
        Cette version a servi à facturer jusqu'au {shortDate(through)} inclus : elle ne peut plus être modifiée ni supprimée. Pour changer les prix, ajoutez une version qui
        commence après cette date.
      </p>
      <ul class="tarif-grille-lue">
        {v.brackets.map((b, j) => (
          <li key={j}>
            De {b.from_euros} € {b.to_euros == null ? 'et plus' : `à ${b.to_euros} €`} : {euros(b.cents)} par {per}
          </li>
        ))}
      </ul>
      <dl class="facts">
        <dt>Réduction à partir du deuxième enfant</dt>
        <dd>{r?.percent != null ? `${r.percent} %` : r?.cents != null ? euros(r.cents) : 'Aucune'}</dd>
        <dt>Prix hors commune</dt>
        <dd>{v.outside_cents != null ? `${euros(v.outside_cents)} par ${per}` : "La grille s'applique aussi"}</dd>
        <dt>Prix si le QF est inconnu</dt>
        <dd>
          {euros(v.default_cents)} par {per}
        </dd>
      </dl>
    </section>
  );
}

interface VersionEditorProps {
  v: VersionForm;
  i: number;
  err: (field: string) => string | undefined;
  onChange: (v: VersionForm) => void;
  onRemove: (() => void) | null;
}

function VersionEditor({ v, i, err, onChange, onRemove }: VersionEditorProps) {
  const at = `versions[${i}]`;
  const per = UNITS[v.unit].per;
  const set = (patch: Partial<VersionForm>) => onChange({ ...v, ...patch });
  const setBracket = (j: number, patch: Partial<BracketForm>) => set({ brackets: v.brackets.map((b, k) => (k === j ? { ...b, ...patch } : b)) });
  const last = v.brackets.length - 1;
  const title = v.effectiveFrom ? `Version à partir du ${shortDate(v.effectiveFrom)}` : `Nouvelle version`;
  const gridError = err(`${at}.brackets`);
  return (
    <section class="panel tarif-version" id={vid(i)} tabIndex={-1} aria-labelledby={`${vid(i)}-titre`}>
      <h3 id={`${vid(i)}-titre`}>{title}</h3>
      <FieldError id={vid(i)} message={err(at)} />
      <div class="bo-grid">
        <InputField
          id={`${vid(i)}-debut`}
          type="date"
          label="S'applique à partir du"
          required
          value={v.effectiveFrom}
          onValue={(effectiveFrom) => set({ effectiveFrom })}
          error={err(`${at}.effective_from`)}
          autoComplete="off"
          short
        />
        <SelectField
          id={`${vid(i)}-unite`}
          label="Unité facturée"
          required
          value={v.unit}
          onValue={(u) => set({ unit: u as Unit })}
          options={Object.entries(UNITS).map(([k, u]) => [k, u.label] as [string, string])}
          error={err(`${at}.unit`)}
        />
      </div>

      <fieldset class="tarif-grille" id={`${vid(i)}-tranches`} aria-describedby={describedBy(`${vid(i)}-tranches-aide`, gridError && errorId(`${vid(i)}-tranches`))}>
        <legend>Grille par quotient familial (QF)</legend>
        <p class="hint" id={`${vid(i)}-tranches-aide`}>
          Chaque tranche va de son QF de début (inclus) à son QF de fin (exclu) ; la suivante commence là où elle finit. La première commence à 0 €, la dernière
          n'a pas de fin.
        </p>
        <FieldError id={`${vid(i)}-tranches`} message={gridError} />
        <ol class="tarif-tranches">
          {v.brackets.map((b, j) => {
            const n = j + 1;
            const ids = { de: bid(i, j, 'de'), a: bid(i, j, 'a'), prix: bid(i, j, 'prix') };
            const errs = {
              de: err(`${at}.brackets[${j}].from_euros`),
              a: j === last ? undefined : err(`${at}.brackets[${j}].to_euros`),
              prix: err(`${at}.brackets[${j}].cents`),
            };
            const input = (what: 'de' | 'a' | 'prix', label: string, value: string, onValue: (s: string) => void) => (
              <input
                id={ids[what]}
                name={ids[what]}
                type="text"
                class="tarif-nombre"
                inputMode={what === 'prix' ? 'decimal' : 'numeric'}
                autoComplete="off"
                aria-label={label}
                aria-invalid={errs[what] ? 'true' : undefined}
                aria-describedby={errs[what] ? errorId(ids[what]) : undefined}
                value={value}
                onInput={(e) => onValue(e.currentTarget.value)}
              />
            );
            return (
              <li key={j} class="tarif-tranche">
                <span class="tarif-ligne">
                  <span aria-hidden="true">De</span>
                  {input('de', `Tranche ${n} : QF de début, en euros`, b.from, (from) => setBracket(j, { from }))}
                  <span aria-hidden="true">€</span>
                  {j === last ? (
                    <span>et plus</span>
                  ) : (
                    <>
                      <span aria-hidden="true">à</span>
                      {input('a', `Tranche ${n} : QF de fin (exclu), en euros`, b.to, (to) => setBracket(j, { to }))}
                      <span aria-hidden="true">€</span>
                    </>
                  )}
                  <span aria-hidden="true">:</span>
                  {input('prix', `Tranche ${n} : prix par ${per}, en euros`, b.price, (price) => setBracket(j, { price }))}
                  <span aria-hidden="true">€ par {per}</span>
                  {v.brackets.length > 1 && (
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      onClick={() => set({ brackets: v.brackets.filter((_, k) => k !== j).map((x, k, all) => (k === all.length - 1 ? { ...x, to: '' } : x)) })}
                    >
                      Retirer<span class="visually-hidden"> la tranche {n} de la version {i + 1}</span>
                    </button>
                  )}
                </span>
                <FieldError id={ids.de} message={errs.de} />
                <FieldError id={ids.a} message={errs.a} />
                <FieldError id={ids.prix} message={errs.prix} />
              </li>
            );
          })}
        </ol>
        <button type="button" class="button button--secondary button--small" onClick={() => set({ brackets: [...v.brackets, { from: v.brackets[last]?.to ?? '', to: '', price: '' }] })}>
          Ajouter une tranche<span class="visually-hidden"> à la version {i + 1}</span>
        </button>
      </fieldset>

      <div class="bo-grid">
        <SelectField
          id={`${vid(i)}-reduction`}
          label="Réduction à partir du deuxième enfant"
          value={v.reduction}
          onValue={(r) => set({ reduction: r as ReductionKind, reductionValue: '' })}
          options={[
            ['none', 'Aucune'],
            ['percent', 'En pourcentage'],
            ['cents', 'En euros'],
          ]}
        />
        {v.reduction !== 'none' && (
          <InputField
            id={`${vid(i)}-reduction-valeur`}
            label={v.reduction === 'percent' ? 'Réduction (en %)' : 'Réduction (en euros)'}
            hint={`Retirée du prix de chaque ${per} des enfants suivants.`}
            required
            inputMode={v.reduction === 'percent' ? 'numeric' : 'decimal'}
            value={v.reductionValue}
            onValue={(reductionValue) => set({ reductionValue })}
            error={err(`${at}.second_child`)}
            autoComplete="off"
            short
          />
        )}
        <InputField
          id={`${vid(i)}-hors`}
          label={`Prix hors commune (en euros, par ${per})`}
          hint="Quel que soit le QF. Vide : la grille s'applique aussi."
          inputMode="decimal"
          value={v.outside}
          onValue={(outside) => set({ outside })}
          error={err(`${at}.outside_cents`)}
          autoComplete="off"
          short
        />
        <InputField
          id={`${vid(i)}-defaut`}
          label={`Prix si le QF est inconnu (en euros, par ${per})`}
          required
          inputMode="decimal"
          value={v.defaultPrice}
          onValue={(defaultPrice) => set({ defaultPrice })}
          error={err(`${at}.default_cents`)}
          autoComplete="off"
          short
        />
      </div>
      {onRemove && (
        <div class="actions">
          <button type="button" class="button button--secondary button--small" onClick={onRemove}>
            Retirer cette version<span class="visually-hidden"> ({title})</span>
          </button>
        </div>
      )}
    </section>
  );
}

// ---- the page -----------------------------------------------------------------

function TariffForm({ view, regies, onSaved }: { view: BillingView; regies: { id: string; name: string; active: boolean }[]; onSaved: (v: BillingView) => void }) {
  const s = view.settings;
  const through = view.issued_through ?? null;
  const [regie, setRegie] = useState(s?.regie_id ?? '');
  const [billedOn, setBilledOn] = useState<BilledOn>(s?.billed_on ?? 'reserved');
  const [unexcused, setUnexcused] = useState(amountText(s?.unexcused_fee_cents));
  const [unreserved, setUnreserved] = useState(amountText(s?.unreserved_fee_cents));
  const [versions, setVersions] = useState<VersionForm[]>(() => (s && s.versions.length ? s.versions.map((v) => versionForm(v, through)) : [blankVersion()]));
  const [done, setDone] = useState<number | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);

  function submit(ev: Event) {
    ev.preventDefault();
    setDone(null);
    const { body, problems } = toBody(regie, billedOn, unexcused, unreserved, versions, s?.version ?? 0);
    if (!body) {
      setError(formErrors(problems));
      return;
    }
    void run(
      () => invoicingSettings.saveBilling(view.activity_id, body),
      (answer) => {
        setDone(Date.now());
        onSaved(answer);
      },
    );
  }

  const choices: [string, string][] = regies.filter((r) => r.active || r.id === regie).map((r) => [r.id, r.active ? r.name : `${r.name} (désactivée)`]);
  return (
    <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      {done && (
        <Result token={done}>
          <p>Tarification enregistrée.</p>
        </Result>
      )}
      <ErrorSummary error={error} fields={fieldIds(versions)} title="La tarification n'a pas été enregistrée" />
      <RequiredNote />
      <section class="form-section spaced-small" aria-labelledby="tarif-facturation">
        <h2 id="tarif-facturation">Facturation</h2>
        {choices.length === 0 && (
          <p class="notice">
            Aucune régie active : <a href="/agent/regies">créez d'abord la régie</a> qui facture cette activité.
          </p>
        )}
        <div class="bo-grid">
          <SelectField id="tarif-regie" label="Régie" required value={regie} onValue={setRegie} empty="Choisissez une régie" options={choices} error={err('regie_id')} />
        </div>
        <Choices
          id="tarif-facture"
          legend="Ce qui est facturé"
          type="radio"
          required
          hint="Les absences justifiées et les fermetures de la commune ne sont jamais facturées."
          options={BILLED_ON}
          checked={(v) => v === billedOn}
          onToggle={(v, on) => on && setBilledOn(v)}
          error={err('billed_on')}
        />
        <div class="bo-grid">
          <InputField
            id="tarif-penalite-absence"
            label="Pénalité pour une absence non justifiée (en euros)"
            hint="Vide : aucune pénalité."
            inputMode="decimal"
            value={unexcused}
            onValue={setUnexcused}
            error={err('unexcused_fee_cents')}
            autoComplete="off"
            short
          />
          <InputField
            id="tarif-penalite-arrivee"
            label="Pénalité pour une arrivée sans réservation (en euros)"
            hint="Vide : aucune pénalité. Le repas ou la garde est facturé en plus."
            inputMode="decimal"
            value={unreserved}
            onValue={setUnreserved}
            error={err('unreserved_fee_cents')}
            autoComplete="off"
            short
          />
        </div>
      </section>

      <section class="spaced-small" aria-labelledby="tarif-versions-titre">
        <h2 id="tarif-versions-titre">Versions du tarif</h2>
        <p id="tarif-versions" tabIndex={-1}>
          Chaque version s'applique à partir de sa date, jusqu'à la version suivante. Une nouvelle version ne change ni les jours d'avant ni les factures déjà émises.
        </p>
        <FieldError id="tarif-versions" message={err('versions')} />
        {versions.map((v, i) =>
          v.frozen && through ? (
            <FrozenVersion key={v.key} v={v.frozen} i={i} through={through} error={err(`versions[${i}]`)} />
          ) : (
            <VersionEditor
              key={v.key}
              v={v}
              i={i}
              err={err}
              onChange={(next) => setVersions(versions.map((x, k) => (k === i ? next : x)))}
              onRemove={versions.length > 1 ? () => setVersions(versions.filter((_, k) => k !== i)) : null}
            />
          ),
        )}
        <div class="actions">
          <button type="button" class="button button--secondary" onClick={() => setVersions([...versions, blankVersion(versions[versions.length - 1])])}>
            Ajouter une version
          </button>
        </div>
      </section>
      <div class="actions">
        <SubmitButton busy={busy}>Enregistrer la tarification</SubmitButton>
      </div>
    </form>
  );
}

export function TariffPage({ id }: { id: string }) {
  const billing = useLoad(() => invoicingSettings.billing(id), [id]);
  const regies = useLoad(() => agent.regies(), []);
  const view = billing.data;
  const crumbs = [
    { href: '/agent/activites', label: 'Activités' },
    { href: `/agent/activites/${id}`, label: view?.activity_name ?? 'Activité' },
    { label: 'Tarification' },
  ];
  if (!view || !regies.data) {
    const error = billing.error ?? regies.error;
    return (
      <AgentPage title="Tarification" crumbs={crumbs}>
        {error ? <LoadFailure error={error} notFound="Cette activité n'existe pas." back={{ href: '/agent/activites', label: 'Retour aux activités' }} /> : <Loading />}
      </AgentPage>
    );
  }
  return (
    <AgentPage title={`Tarification : ${view.activity_name}`} documentTitle={`Tarification ${view.activity_name}`} crumbs={crumbs}>
      <p>
        Le prix de chaque jour facturé dépend du quotient familial (QF) de la famille ce jour-là, de la version du tarif en vigueur, du rang de l'enfant et de la
        résidence de la famille.
      </p>
      {view.issued_through && (
        <p class="notice">
          Factures émises jusqu'au {shortDate(view.issued_through)} inclus : les versions en vigueur jusqu'à cette date sont figées.
        </p>
      )}
      <TariffForm view={view} regies={regies.data.items} onSaved={(v) => billing.setData(v)} />
    </AgentPage>
  );
}
