/**
 * `/espace-famille/ma-famille/enfants`: the guide's children screen, one
 * child at a time. "Informations générales", "Autorisations", "Données
 * sanitaires", "Contacts", the photo; "Soumettre la modification" sends
 * `PATCH /api/family/children/{id}` with only the changed fields.
 */
import { useState } from 'preact/hooks';

import { APPLIANCES, AUTHORIZATIONS, authorizationText, DIETS, labelOf, RELATIONSHIPS, SEXES, yesNo } from '../labels';
import { LoadError, Loading } from '../ui/load';
import { type FieldProblem, type Me, parent } from '../api';
import { numericDay, parseTypedDay } from '../dates';
import { location } from '../router';
import { Checkbox, Choices, DateField, ErrorSummary, InputField, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { Page } from '../ui/page';
import { AllergiesEditor, ContactsEditor, VaccinesEditor } from './child-lists';
import { useCurrentFamily, useDossier, withQuery } from './current';
import { FAMILY_CRUMBS } from './guardians';
import { type Appliances, type Authorizations, type Child, type Contact, type ContactDraft, type Dossier, type Health, type Insurance, type Vaccine, fullName, pendingFor } from './model';
import { PhotoSection } from './photo';
import { SubmittedNotice, clientError } from './submitted';
import { FamilyChooser, NoFamily, PendingBanner } from './ui';

interface Draft {
  last_name: string;
  first_name: string;
  birth_date: string;
  sex: string;
  insurance: Required<Insurance>;
  appliances: Required<Appliances>;
  authorizations: Required<Authorizations>;
  health: Required<Health>;
  contacts: ContactDraft[];
}

function draftOf(c: Child): Draft {
  return {
    last_name: c.last_name,
    first_name: c.first_name,
    birth_date: numericDay(c.birth_date),
    sex: c.sex,
    insurance: { company: c.insurance.company ?? '', number: c.insurance.number ?? '' },
    // The server sends every key of these two.
    appliances: { ...c.appliances } as Required<Appliances>,
    authorizations: { ...c.authorizations } as Required<Authorizations>,
    health: {
      diet: c.health.diet,
      allergies: [...(c.health.allergies ?? [])],
      special_care: !!c.health.special_care,
      vaccines: (c.health.vaccines ?? []).map((v) => ({ ...v, booster_date: v.booster_date ?? null })),
    },
    contacts: c.contacts.map((x) => ({ ...x })),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function changes(c: Child, d: Draft): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const before = draftOf(c);
  const body: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  if (d.last_name.trim() !== before.last_name) body['last_name'] = d.last_name.trim();
  if (d.first_name.trim() !== before.first_name) body['first_name'] = d.first_name.trim();
  if (d.birth_date.trim() !== before.birth_date) {
    const day = parseTypedDay(d.birth_date);
    if (!day) problems.push({ field: 'birth_date', code: 'invalid_date', message: 'La date de naissance est obligatoire, au format JJ/MM/AAAA (exemple : 23/11/2015).' });
    else if (day !== c.birth_date) body['birth_date'] = day;
  }
  if (d.sex !== before.sex) body['sex'] = d.sex;
  const insurance = { company: d.insurance.company.trim(), number: d.insurance.number.trim() };
  if (!same(insurance, before.insurance)) body['insurance'] = insurance;
  if (!same(d.appliances, before.appliances)) body['appliances'] = d.appliances;
  if (!same(d.authorizations, before.authorizations)) body['authorizations'] = d.authorizations;
  if (!same(d.health, before.health)) body['health'] = d.health;
  if (!same(d.contacts, before.contacts)) {
    body['contacts'] = d.contacts.map((x) => {
      const { id, ...rest } = x;
      return id ? { id, ...rest } : rest;
    });
  }
  return { body, problems };
}

const FIELDS: Record<string, string> = {
  last_name: 'nom',
  first_name: 'prenom',
  birth_date: 'naissance',
  sex: 'sexe',
  'insurance.company': 'assurance',
  'insurance.number': 'assurance-numero',
  'health.diet': 'regime-alimentaire',
  'health.allergies': 'allergie-nouvelle',
};

/** `health.vaccines[2].date` -> the row's id, and its message by row. */
function rowErrors(errors: FieldProblem[], list: string): { fields: Record<string, string>; rows: Map<number, string[]> } {
  const fields: Record<string, string> = {};
  const rows = new Map<number, string[]>();
  const re = new RegExp(`^${list.replace(/[.[\]]/g, '\\$&')}\\[(\\d+)\\]`);
  const prefix = list.startsWith('health') ? 'vaccin' : 'contact';
  for (const e of errors) {
    const m = re.exec(e.field);
    if (!m) continue;
    const i = Number(m[1]);
    fields[e.field] = `${prefix}-${i}`;
    rows.set(i, [...(rows.get(i) ?? []), e.message]);
  }
  return { fields, rows };
}

function describeVaccines(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return 'aucun';
  return (v as Vaccine[]).map((x) => `${x.name} (${x.date ? numericDay(x.date) : '?'}${x.booster_date ? `, rappel ${numericDay(x.booster_date)}` : ''})`).join(', ');
}

function describeContacts(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return 'aucun';
  return (v as Contact[]).map((x) => `${x.full_name} (${labelOf(RELATIONSHIPS, x.relationship)})`).join(', ');
}

function ChildForm({ dossier, child, familyId, onSent }: { dossier: Dossier; child: Child; familyId: string; onSent: () => void }) {
  const [d, setD] = useState<Draft>(() => draftOf(child));
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const pending = pendingFor(dossier, { kind: 'child', id: child.id });
  const set =
    <K extends keyof Draft>(k: K) =>
    (v: Draft[K]) =>
      setD((old) => ({ ...old, [k]: v }));
  const setIn =
    <K extends 'insurance' | 'appliances' | 'authorizations' | 'health'>(k: K) =>
    <F extends keyof Draft[K]>(f: F) =>
    (v: Draft[K][F]) =>
      setD((old) => ({ ...old, [k]: { ...old[k], [f]: v } }));
  const err = (field: string) => error?.fieldMessage(field);

  // Pending values, per field (objects: per part that differs).
  const pend = (field: string, table?: Record<string, string>): string | undefined => {
    const p = pending.get(field);
    if (!p) return undefined;
    if (table) return labelOf(table, p.value);
    if (field === 'birth_date' && typeof p.value === 'string') return numericDay(p.value);
    return typeof p.value === 'string' ? p.value : JSON.stringify(p.value);
  };
  const pendIn = (group: string, key: string, format: (v: unknown) => string = yesNo): string | undefined => {
    const p = pending.get(group)?.value as Record<string, unknown> | undefined;
    if (!p || !(key in p)) return undefined;
    const now = (child as unknown as Record<string, Record<string, unknown>>)[group]?.[key];
    return same(p[key], now) ? undefined : format(p[key]);
  };

  const vaccineErrors = rowErrors(error?.errors ?? [], 'health.vaccines');
  const contactErrors = rowErrors(error?.errors ?? [], 'contacts');

  function submit(ev: Event) {
    ev.preventDefault();
    setSent(null);
    const { body, problems } = changes(child, d);
    if (problems.length) {
      setError(clientError(problems));
      return;
    }
    void run(
      () => parent.changeChild(familyId, child.id, body),
      (res) => {
        setSent(res.request_id);
        setD(draftOf(child));
        onSent();
      },
    );
  }

  const photoPending = pending.get('photo_url');
  return (
    <>
      <h2 id="enfant-titre">{fullName(child)}</h2>
      {pending.size > 0 && <PendingBanner />}
      <PhotoSection child={child} familyId={familyId} pendingSince={photoPending?.at ?? null} onSent={onSent} />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} aria-labelledby="enfant-titre">
        <ErrorSummary error={error} fields={{ ...FIELDS, ...vaccineErrors.fields, ...contactErrors.fields }} />
        {sent && <SubmittedNotice requestId={sent} />}
        <RequiredNote />

        <section class="form-section" aria-labelledby="infos-generales">
          <h3 id="infos-generales">Informations générales</h3>
          <div class="grid-2">
            <InputField id="nom" label="Nom" required autoComplete="off" value={d.last_name} onValue={set('last_name')} error={err('last_name')} pending={pend('last_name')} maxLength={100} />
            <InputField id="prenom" label="Prénom" required autoComplete="off" value={d.first_name} onValue={set('first_name')} error={err('first_name')} pending={pend('first_name')} maxLength={100} />
            <DateField
              id="naissance"
              label="Date de naissance"
              required
              value={d.birth_date}
              onValue={set('birth_date')}
              error={err('birth_date')}
              pending={pend('birth_date')}
            />
            <Choices
              id="sexe"
              legend="Sexe"
              required
              type="radio"
              options={Object.entries(SEXES)}
              checked={(v) => d.sex === v}
              onToggle={(v) => set('sex')(v)}
              error={err('sex')}
              pending={pend('sex', SEXES)}
            />
            <InputField
              id="assurance"
              label="Compagnie d'assurance"
              autoComplete="off"
              value={d.insurance.company}
              onValue={setIn('insurance')('company')}
              error={err('insurance.company')}
              pending={pendIn('insurance', 'company', String)}
              maxLength={100}
            />
            <InputField
              id="assurance-numero"
              label="N° de la compagnie"
              autoComplete="off"
              value={d.insurance.number}
              onValue={setIn('insurance')('number')}
              error={err('insurance.number')}
              pending={pendIn('insurance', 'number', String)}
              maxLength={50}
            />
          </div>
          {APPLIANCES.map(([k, label]) => (
            <Checkbox key={k} id={`appareil-${k}`} label={label} checked={d.appliances[k]} onChecked={setIn('appliances')(k)} pending={pendIn('appliances', k)} />
          ))}
        </section>

        <section class="form-section" aria-labelledby="autorisations">
          <h3 id="autorisations">Autorisations</h3>
          {AUTHORIZATIONS.map(([k, label]) => (
            <Checkbox key={k} id={`autorisation-${k}`} label={authorizationText(label)} checked={d.authorizations[k]} onChecked={setIn('authorizations')(k)} pending={pendIn('authorizations', k)} />
          ))}
        </section>

        <section class="form-section" aria-labelledby="sanitaires">
          <h3 id="sanitaires">Données sanitaires</h3>
          <p class="hint">Ces données ne sont visibles que par votre famille et les agents de la collectivité qui en ont besoin pour accueillir votre enfant.</p>
          <SelectField
            id="regime-alimentaire"
            label="Pratiques alimentaires"
            value={d.health.diet}
            onValue={(v) => setIn('health')('diet')(v as Health['diet'])}
            options={DIETS}
            error={err('health.diet')}
            pending={pendIn('health', 'diet', (v) => labelOf(DIETS, v))}
          />
          <AllergiesEditor value={d.health.allergies} onChange={setIn('health')('allergies')} pending={pendIn('health', 'allergies', (v) => (Array.isArray(v) && v.length ? v.join(', ') : 'aucune'))} />
          <VaccinesEditor value={d.health.vaccines} onChange={setIn('health')('vaccines')} errors={vaccineErrors.rows} pending={pendIn('health', 'vaccines', describeVaccines)} />
          <Checkbox
            id="attention-particuliere"
            label="Nécessite une attention particulière"
            hint="Cochez cette case si votre enfant a besoin d'une attention particulière : la collectivité vous contactera. Ne donnez pas de détail médical ici."
            checked={d.health.special_care}
            onChecked={setIn('health')('special_care')}
            pending={pendIn('health', 'special_care')}
          />
        </section>

        <section class="form-section" aria-labelledby="contacts-titre">
          <h3 id="contacts-titre">Contacts</h3>
          <p class="hint">Les adultes habilités à être appelés ou à prendre en charge votre enfant.</p>
          <ContactsEditor value={d.contacts} onChange={set('contacts')} errors={contactErrors.rows} pending={pending.has('contacts') ? describeContacts(pending.get('contacts')?.value) : undefined} />
        </section>

        <div class="actions">
          <SubmitButton busy={busy}>Soumettre la modification</SubmitButton>
        </div>
      </form>
    </>
  );
}

export function ChildrenPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const reload = dossier.reload;
  const wanted = location().query.get('enfant');

  let body;
  if (!family) body = <NoFamily />;
  else if (dossier.state === 'loading') body = <Loading text="Chargement du dossier famille…" />;
  else if (dossier.state === 'failed') body = <LoadError error={dossier.error} retry={() => void reload()} />;
  else {
    const dos = dossier.data;
    const child = dos.children.find((c) => c.id === wanted) ?? dos.children[0];
    body = (
      <>
        {dos.children.length > 1 && (
          <nav class="subnav" aria-label="Enfants de la famille">
            <ul>
              {dos.children.map((c) => (
                <li key={c.id}>
                  <a href={withQuery('/espace-famille/ma-famille/enfants', { enfant: c.id })} aria-current={c.id === child?.id ? 'page' : undefined}>
                    {fullName(c)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {child ? <ChildForm key={child.id} dossier={dos} child={child} familyId={family.family_id} onSent={() => void reload()} /> : <p>Aucun enfant n'est enregistré dans ce dossier.</p>}
      </>
    );
  }
  return (
    <Page title="Enfants" breadcrumb={[...FAMILY_CRUMBS, { label: 'Enfants' }]}>
      <FamilyChooser me={me} />
      <p class="lead">Consultez et modifiez les informations générales, les autorisations, les données sanitaires et les contacts de vos enfants. Toute modification est soumise à la validation de la collectivité.</p>
      {body}
    </Page>
  );
}
