/**
 * `/agent/familles/nouvelle`: a family file made by hand: its guardians (at
 * least one) and children, rows added and removed at will. The answer
 * gives the subscriber code to hand to the family and each guardian's
 * personal code.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { labelOf, QUALITIES, SEXES } from '../labels';
import { ApiError, type FieldProblem } from '../api';
import { Choices, ErrorSummary, formErrors, InputField, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { type Dossier, type NewChild, type NewGuardian, agent } from '../api/agent';
import { fullName } from './format';
import { AgentPage, Result, TableRegion } from './ui';

interface GuardianRow {
  key: number;
  civility: '' | 'M.' | 'Mme';
  last_name: string;
  first_name: string;
  quality: string;
  email: string;
  phone: string;
  mobile: string;
  line1: string;
  line2: string;
  postal_code: string;
  city: string;
}

interface ChildRow {
  key: number;
  last_name: string;
  first_name: string;
  birth_date: string;
  sex: '' | 'M' | 'F';
}

let nextKey = 1;
const newGuardian = (): GuardianRow => ({
  key: nextKey++,
  civility: '',
  last_name: '',
  first_name: '',
  quality: '',
  email: '',
  phone: '',
  mobile: '',
  line1: '',
  line2: '',
  postal_code: '',
  city: '',
});
const newChild = (last = ''): ChildRow => ({ key: nextKey++, last_name: last, first_name: '', birth_date: '', sex: '' });

const MAX_GUARDIANS = 4;
const MAX_CHILDREN = 15;

/** API field (after `guardians[i].`) -> the input's id suffix. */
const GUARDIAN_FIELDS: Record<string, string> = {
  civility: 'civilite',
  last_name: 'nom',
  first_name: 'prenom',
  quality: 'qualite',
  email: 'email',
  phone: 'telephone',
  mobile: 'portable',
  address: 'adresse',
  'address.line1': 'adresse',
  'address.line2': 'adresse2',
  'address.postal_code': 'cp',
  'address.city': 'ville',
};

const CHILD_FIELDS: Record<string, string> = {
  last_name: 'nom',
  first_name: 'prenom',
  birth_date: 'naissance',
  sex: 'sexe',
};

const gid = (row: GuardianRow, f: string) => `r${row.key}-${f}`;
const cid = (row: ChildRow, f: string) => `e${row.key}-${f}`;

function guardianBody(g: GuardianRow): NewGuardian {
  const hasAddress = [g.line1, g.line2, g.postal_code, g.city].some((x) => x.trim());
  return {
    civility: g.civility || null,
    last_name: g.last_name,
    first_name: g.first_name,
    email: g.email.trim(),
    phone: g.phone,
    mobile: g.mobile,
    // The select offers the contract's codes only.
    quality: (g.quality || null) as NewGuardian['quality'],
    address: hasAddress ? { line1: g.line1, line2: g.line2, postal_code: g.postal_code.trim(), city: g.city } : null,
  };
}

/** What the server cannot read (no date, no sex) is checked here first. */
function checkChildren(children: ChildRow[]): FieldProblem[] {
  const errors: FieldProblem[] = [];
  children.forEach((c, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(c.birth_date)) {
      errors.push({ field: `children[${i}].birth_date`, code: 'required', message: 'La date de naissance est obligatoire.' });
    }
    if (!c.sex) errors.push({ field: `children[${i}].sex`, code: 'required', message: 'Le sexe est obligatoire.' });
  });
  return errors;
}

function Created({ family, onAgain }: { family: Dossier; onAgain: () => void }) {
  return (
    <AgentPage title={`Famille créée : ${family.label}`} documentTitle="Famille créée" crumbs={[{ href: '/agent/familles', label: 'Familles' }, { label: 'Famille créée' }]}>
      <Result token={family.id}>
        <p>
          <strong>Le dossier « {family.label} » est créé.</strong>
        </p>
      </Result>
      <section class="panel panel--tinted" aria-labelledby="code-titre">
        <h2 id="code-titre">Code abonné famille</h2>
        <p>À transmettre à la famille : il lui permet de relier son compte citoyen à ce dossier.</p>
        <p class="bo-code" id="code-abonne">
          {family.subscriber_code ?? 'Aucun code'}
        </p>
      </section>
      <section class="spaced-small" aria-labelledby="codes-perso">
        <h2 id="codes-perso">Codes personnels des responsables</h2>
        <p>Imprimés sur les factures ; avec les références d'une facture, ils permettent aussi de s'abonner.</p>
        <TableRegion labelledBy="codes-legende">
          <table class="bo-table">
            <caption id="codes-legende" class="visually-hidden">
              Codes personnels des responsables
            </caption>
            <thead>
              <tr>
                <th scope="col">Responsable</th>
                <th scope="col">Qualité</th>
                <th scope="col">Code personnel</th>
              </tr>
            </thead>
            <tbody>
              {family.guardians.map((g) => (
                <tr key={g.id}>
                  <th scope="row">{fullName(g)}</th>
                  <td>{labelOf(QUALITIES, g.quality)}</td>
                  <td class="bo-mono">{g.personal_code ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      </section>
      <div class="actions">
        <a class="button" href={`/agent/familles/${family.id}`}>
          Voir le dossier
        </a>
        <button type="button" class="button button--secondary" onClick={onAgain}>
          Créer une autre famille
        </button>
      </div>
    </AgentPage>
  );
}

export function NewFamilyPage() {
  const [guardians, setGuardians] = useState<GuardianRow[]>(() => [newGuardian()]);
  const [children, setChildren] = useState<ChildRow[]>([]);
  const [created, setCreated] = useState<Dossier | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    if (focusNext.current) {
      const target = focusNext.current === 'h1' ? document.querySelector<HTMLElement>('main h1') : document.getElementById(focusNext.current);
      target?.focus();
      focusNext.current = null;
    }
  });

  if (created) {
    return (
      <Created
        family={created}
        onAgain={() => {
          setGuardians([newGuardian()]);
          setChildren([]);
          setError(null);
          setCreated(null);
          focusNext.current = 'h1';
          window.scrollTo(0, 0);
        }}
      />
    );
  }

  const setG = (key: number, patch: Partial<GuardianRow>) => setGuardians(guardians.map((g) => (g.key === key ? { ...g, ...patch } : g)));
  const setC = (key: number, patch: Partial<ChildRow>) => setChildren(children.map((c) => (c.key === key ? { ...c, ...patch } : c)));

  // Each API field path -> its input; the summary names the person.
  const fields: Record<string, string> = { guardians: guardians[0] ? gid(guardians[0], 'nom') : 'ajouter-responsable' };
  guardians.forEach((g, i) => {
    for (const [f, id] of Object.entries(GUARDIAN_FIELDS)) fields[`guardians[${i}].${f}`] = gid(g, id);
  });
  children.forEach((c, i) => {
    for (const [f, id] of Object.entries(CHILD_FIELDS)) fields[`children[${i}].${f}`] = cid(c, id);
  });
  const who = (field: string) => {
    const m = /^(guardians|children)\[(\d+)\]/.exec(field);
    if (!m) return '';
    return `${m[1] === 'guardians' ? 'Responsable' : 'Enfant'} ${Number(m[2]) + 1} : `;
  };
  const summary = error && new ApiError(error.status, error.code, error.detail, error.errors.map((e) => ({ ...e, message: who(e.field) + e.message })));
  const err = (field: string) => error?.fieldMessage(field);

  function submit(ev: Event) {
    ev.preventDefault();
    const local = checkChildren(children);
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const body = {
      guardians: guardians.map(guardianBody),
      children: children.map<NewChild>((c) => ({ first_name: c.first_name, last_name: c.last_name, birth_date: c.birth_date, sex: c.sex as 'M' | 'F' })),
    };
    void run(() => agent.createFamily(body), (family) => {
      window.scrollTo(0, 0);
      setCreated(family);
    });
  }

  return (
    <AgentPage title="Créer une famille" error={!!error} crumbs={[{ href: '/agent/familles', label: 'Familles' }, { label: 'Créer une famille' }]}>
      <p class="lead">Le dossier est créé avec un code abonné à transmettre à la famille.</p>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} class="bo-form">
        <ErrorSummary error={summary} fields={fields} />

        <section class="form-section" aria-labelledby="responsables">
          <h2 id="responsables" tabIndex={-1}>
            Responsables
          </h2>
          <p class="hint">Au moins un responsable, {MAX_GUARDIANS} au plus.</p>
          {guardians.map((g, i) => {
            const e = (f: string) => err(`guardians[${i}].${f}`);
            const n = i + 1;
            return (
              <fieldset class="bo-row" key={g.key}>
                <legend>Responsable {n}</legend>
                <Choices
                  id={gid(g, 'civilite')}
                  legend="Civilité"
                  type="radio"
                  options={[
                    ['M.', 'Monsieur'],
                    ['Mme', 'Madame'],
                  ]}
                  checked={(v) => g.civility === v}
                  onToggle={(v) => setG(g.key, { civility: v as 'M.' | 'Mme' })}
                  error={e('civility')}
                />
                <div class="bo-grid">
                  <InputField autoComplete="off" id={gid(g, 'nom')} label="Nom" required value={g.last_name} onValue={(v) => setG(g.key, { last_name: v })} error={e('last_name')} maxLength={100} />
                  <InputField autoComplete="off" id={gid(g, 'prenom')} label="Prénom" required value={g.first_name} onValue={(v) => setG(g.key, { first_name: v })} error={e('first_name')} maxLength={100} />
                  <SelectField
                    id={gid(g, 'qualite')}
                    label="Qualité"
                    value={g.quality}
                    onValue={(v) => setG(g.key, { quality: v })}
                    empty="Non renseignée"
                    options={Object.entries(QUALITIES)}
                    error={e('quality')}
                  />
                  <InputField autoComplete="off"
                    id={gid(g, 'email')}
                    type="email"
                    label="E-mail"
                    hint="Exemple : prenom.nom@exemple.fr"
                    value={g.email}
                    onValue={(v) => setG(g.key, { email: v })}
                    error={e('email')}
                    spellcheck={false}
                  />
                  <InputField autoComplete="off" id={gid(g, 'telephone')} type="tel" label="Téléphone" hint="Exemple : 01 02 03 04 05" value={g.phone} onValue={(v) => setG(g.key, { phone: v })} error={e('phone')} />
                  <InputField autoComplete="off"
                    id={gid(g, 'portable')}
                    type="tel"
                    label="Téléphone portable"
                    hint="Exemple : 06 12 34 56 78"
                    value={g.mobile}
                    onValue={(v) => setG(g.key, { mobile: v })}
                    error={e('mobile')}
                  />
                </div>
                <fieldset class="bo-subgroup">
                  <legend>Adresse</legend>
                  <p class="hint">Facultative ; si elle est donnée, l'adresse, le code postal et la ville sont obligatoires.</p>
                  <div class="bo-grid">
                    <InputField autoComplete="off" id={gid(g, 'adresse')} label="Adresse" value={g.line1} onValue={(v) => setG(g.key, { line1: v })} error={e('address.line1') ?? e('address')} />
                    <InputField autoComplete="off" id={gid(g, 'adresse2')} label="Complément d'adresse" value={g.line2} onValue={(v) => setG(g.key, { line2: v })} error={e('address.line2')} />
                    <InputField autoComplete="off"
                      id={gid(g, 'cp')}
                      label="Code postal"
                      inputMode="numeric"
                      short
                      value={g.postal_code}
                      onValue={(v) => setG(g.key, { postal_code: v })}
                      error={e('address.postal_code')}
                      maxLength={5}
                    />
                    <InputField autoComplete="off" id={gid(g, 'ville')} label="Ville" value={g.city} onValue={(v) => setG(g.key, { city: v })} error={e('address.city')} />
                  </div>
                </fieldset>
                {guardians.length > 1 && (
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    onClick={() => {
                      focusNext.current = 'responsables';
                      setGuardians(guardians.filter((x) => x.key !== g.key));
                    }}
                  >
                    Retirer le responsable {n}
                    {g.last_name || g.first_name ? ` (${[g.first_name, g.last_name].filter(Boolean).join(' ')})` : ''}
                  </button>
                )}
              </fieldset>
            );
          })}
          {guardians.length < MAX_GUARDIANS && (
            <button
              type="button"
              id="ajouter-responsable"
              class="button button--secondary"
              onClick={() => {
                const row = newGuardian();
                focusNext.current = gid(row, 'civilite');
                setGuardians([...guardians, row]);
              }}
            >
              Ajouter un responsable
            </button>
          )}
        </section>

        <section class="form-section" aria-labelledby="enfants">
          <h2 id="enfants" tabIndex={-1}>
            Enfants
          </h2>
          <p class="hint">{children.length === 0 ? "Aucun enfant pour l'instant." : `${MAX_CHILDREN} au plus.`}</p>
          {children.map((c, i) => {
            const e = (f: string) => err(`children[${i}].${f}`);
            const n = i + 1;
            return (
              <fieldset class="bo-row" key={c.key}>
                <legend>Enfant {n}</legend>
                <div class="bo-grid">
                  <InputField autoComplete="off" id={cid(c, 'nom')} label="Nom" required value={c.last_name} onValue={(v) => setC(c.key, { last_name: v })} error={e('last_name')} maxLength={100} />
                  <InputField autoComplete="off" id={cid(c, 'prenom')} label="Prénom" required value={c.first_name} onValue={(v) => setC(c.key, { first_name: v })} error={e('first_name')} maxLength={100} />
                  <InputField autoComplete="off"
                    id={cid(c, 'naissance')}
                    type="date"
                    label="Date de naissance"
                    required
                    short
                    value={c.birth_date}
                    onValue={(v) => setC(c.key, { birth_date: v })}
                    error={e('birth_date')}
                  />
                </div>
                <Choices
                  id={cid(c, 'sexe')}
                  legend="Sexe"
                  required
                  type="radio"
                  options={Object.entries(SEXES) as ['M' | 'F', string][]}
                  checked={(v) => c.sex === v}
                  onToggle={(v) => setC(c.key, { sex: v })}
                  error={e('sex')}
                />
                <button
                  type="button"
                  class="button button--secondary button--small"
                  onClick={() => {
                    focusNext.current = 'enfants';
                    setChildren(children.filter((x) => x.key !== c.key));
                  }}
                >
                  Retirer l'enfant {n}
                  {c.first_name ? ` (${c.first_name})` : ''}
                </button>
              </fieldset>
            );
          })}
          {children.length < MAX_CHILDREN && (
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                const row = newChild(guardians[0]?.last_name ?? '');
                focusNext.current = cid(row, 'nom');
                setChildren([...children, row]);
              }}
            >
              Ajouter un enfant
            </button>
          )}
        </section>

        <div class="actions">
          <SubmitButton busy={busy} busyText="Création en cours…">
            Créer la famille
          </SubmitButton>
          <a href="/agent/familles">Annuler</a>
        </div>
      </form>
    </AgentPage>
  );
}
