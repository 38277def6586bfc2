/**
 * `/espace-famille/ma-famille/responsables`: the guide's "Responsables"
 * screen. The family's fiscal information (`PATCH /api/family`), then one
 * guardian at a time (`PATCH /api/family/guardians/{id}`, only the changed
 * fields). Every change waits for the commune: pending values are shown
 * beside the current ones.
 */
import { useState } from 'preact/hooks';

import { CIVILITIES, FAMILY_SITUATIONS, labelOf, QUALITIES, REGIMES, yesNo } from '../labels';
import { LoadError, Loading } from '../ui/load';
import { type FieldProblem, type Me, parent } from '../api';
import { location } from '../router';
import { Checkbox, ErrorSummary, InputField, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { Page } from '../ui/page';
import { useCurrentFamily, useDossier, withQuery } from './current';
import { type Dossier, type Fiscal, type Guardian, type Regime, formatAddress, formatBank, fullName, pendingFor } from './model';
import { SubmittedNotice, clientError } from './submitted';
import { FamilyChooser, NoFamily, PendingBanner } from './ui';
import { PendingNote } from '../ui/pending';

export const FAMILY_CRUMBS = [
  { href: '/espace-famille', label: 'Espace famille' },
  { href: '/espace-famille/ma-famille', label: 'Ma famille' },
];

// ---- Informations fiscales -----------------------------------------------

const FISCAL_FIELDS: Record<string, string> = {
  fiscal: 'regime',
  'fiscal.regime': 'regime',
  'fiscal.allocataire_number': 'allocataire',
  'fiscal.quotient_familial': 'quotient',
};

interface FormProps {
  dossier: Dossier;
  familyId: string;
  onSent: () => void;
  /** Called on submit: the other form hides its error summary. */
  onStart: () => void;
  /** Whether this form was the last one submitted. */
  active: boolean;
}

function FiscalForm({ dossier, familyId, onSent, onStart, active }: FormProps) {
  const f = dossier.fiscal;
  const [regime, setRegime] = useState<string>(f?.regime ?? '');
  const [number, setNumber] = useState(f?.allocataire_number ?? '');
  const [qf, setQf] = useState(f?.quotient_familial != null ? String(f.quotient_familial) : '');
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error: lastError, setError, run } = useSubmit();
  const error = active ? lastError : null;
  const pending = pendingFor(dossier, { kind: 'family' }).get('fiscal')?.value as Partial<Fiscal> | undefined;
  const err = (field: string) => error?.fieldMessage(`fiscal.${field}`) ?? (field === 'regime' ? error?.fieldMessage('fiscal') : undefined);

  function submit(ev: Event) {
    ev.preventDefault();
    onStart();
    setSent(null);
    const problems: FieldProblem[] = [];
    if (regime === '') problems.push({ field: 'fiscal.regime', code: 'required', message: 'Choisissez le régime (CAF, MSA, autre régime ou aucun).' });
    const qfText = qf.replace(/\s/g, '');
    const quotient = qfText === '' ? null : Number(qfText);
    if (quotient !== null && (!Number.isInteger(quotient) || quotient < 0)) {
      problems.push({ field: 'fiscal.quotient_familial', code: 'invalid', message: "Le quotient familial est un nombre entier d'euros, par exemple 650." });
    }
    if (problems.length) {
      setError(clientError(problems));
      return;
    }
    const fiscal: Fiscal = { regime: regime as Regime, allocataire_number: number.trim(), quotient_familial: quotient };
    void run(
      () => parent.changeFamily(familyId, { fiscal }),
      (res) => {
        setSent(res.request_id);
        onSent();
      },
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} class="form-section">
      <h3>Informations fiscales</h3>
      <ErrorSummary error={error} fields={FISCAL_FIELDS} />
      {sent && <SubmittedNotice requestId={sent} />}
      {pending && (
        <PendingNote value={[labelOf(REGIMES, pending.regime), pending.allocataire_number && `n° d'allocataire ${pending.allocataire_number}`, pending.quotient_familial != null && `quotient familial ${pending.quotient_familial} €`].filter(Boolean).join(', ')} />
      )}
      <SelectField id="regime" label="Régime" required value={regime} onValue={setRegime} options={REGIMES} empty="Non renseigné" error={err('regime')} />
      <InputField id="allocataire" label="Numéro d'allocataire" value={number} onValue={setNumber} error={err('allocataire_number')} maxLength={30} autoComplete="off" spellcheck={false} />
      <InputField
        id="quotient"
        label="Quotient familial"
        hint="En euros, sans centimes (exemple : 650)."
        value={qf}
        onValue={setQf}
        inputMode="numeric"
        error={err('quotient_familial')}
        maxLength={7}
        autoComplete="off"
      />
      <div class="actions">
        <SubmitButton busy={busy}>Soumettre la modification</SubmitButton>
      </div>
    </form>
  );
}

// ---- Un responsable ---------------------------------------------------------

const GUARDIAN_FIELDS: Record<string, string> = {
  civility: 'civilite',
  family_situation: 'situation',
  last_name: 'nom',
  first_name: 'prenom',
  email: 'email',
  phone: 'telephone',
  mobile: 'portable',
  quality: 'qualite',
  accepts_email: 'accepte-emails',
  accepts_sms: 'accepte-sms',
  address: 'adresse-ligne1',
  'address.line1': 'adresse-ligne1',
  'address.line2': 'adresse-ligne2',
  'address.postal_code': 'code-postal',
  'address.city': 'ville',
  bank: 'titulaire',
  'bank.holder': 'titulaire',
  'bank.iban': 'iban',
  'bank.bic': 'bic',
  iban: 'iban',
};

interface Draft {
  civility: string;
  family_situation: string;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  mobile: string;
  quality: string;
  accepts_email: boolean;
  accepts_sms: boolean;
  line1: string;
  line2: string;
  postal_code: string;
  city: string;
  holder: string;
  iban: string;
  bic: string;
}

function draftOf(g: Guardian): Draft {
  return {
    civility: g.civility ?? '',
    family_situation: g.family_situation ?? '',
    last_name: g.last_name,
    first_name: g.first_name,
    email: g.email,
    phone: g.phone,
    mobile: g.mobile,
    quality: g.quality ?? '',
    accepts_email: g.accepts_email,
    accepts_sms: g.accepts_sms,
    line1: g.address?.line1 ?? '',
    line2: g.address?.line2 ?? '',
    postal_code: g.address?.postal_code ?? '',
    city: g.address?.city ?? '',
    holder: g.bank?.holder ?? '',
    iban: '',
    bic: g.bank?.bic ?? '',
  };
}

/** Only what changed, as `PATCH /api/family/guardians/{id}` takes it. */
function changes(g: Guardian, d: Draft): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const body: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  const before = draftOf(g);
  for (const k of ['last_name', 'first_name', 'email', 'phone', 'mobile'] as const) {
    if (d[k].trim() !== before[k]) body[k] = d[k].trim();
  }
  for (const k of ['civility', 'family_situation', 'quality'] as const) {
    if (d[k] !== '' && d[k] !== before[k]) body[k] = d[k];
  }
  for (const k of ['accepts_email', 'accepts_sms'] as const) {
    if (d[k] !== before[k]) body[k] = d[k];
  }
  const address = { line1: d.line1.trim(), line2: d.line2.trim(), postal_code: d.postal_code.trim(), city: d.city.trim() };
  if (address.line1 !== before.line1 || address.line2 !== before.line2 || address.postal_code !== before.postal_code || address.city !== before.city) {
    body['address'] = address;
  }
  const iban = d.iban.replace(/\s/g, '').toUpperCase();
  const bankChanged = iban !== '' || d.holder.trim() !== before.holder || d.bic.trim() !== before.bic;
  if (bankChanged) {
    if (iban === '' && !g.bank) {
      problems.push({ field: 'bank.iban', code: 'required', message: "Saisissez l'IBAN du compte." });
    } else {
      // Left out, the IBAN on file stays: it is never shown in full.
      const bank: Record<string, string> = { holder: d.holder.trim(), bic: d.bic.replace(/\s/g, '').toUpperCase() };
      if (iban !== '') bank['iban'] = iban;
      body['bank'] = bank;
    }
  }
  return { body, problems };
}

function GuardianForm({ dossier, guardian, familyId, onSent, onStart, active }: FormProps & { guardian: Guardian }) {
  const [d, setD] = useState<Draft>(() => draftOf(guardian));
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error: lastError, setError, run } = useSubmit();
  const error = active ? lastError : null;
  const pending = pendingFor(dossier, { kind: 'guardian', id: guardian.id });
  const set =
    <K extends keyof Draft>(k: K) =>
    (v: Draft[K]) =>
      setD((old) => ({ ...old, [k]: v }));
  const err = (field: string) => error?.fieldMessage(field);
  const pend = (field: string, table?: Record<string, string>): string | undefined => {
    const p = pending.get(field);
    if (!p) return undefined;
    if (typeof p.value === 'boolean') return yesNo(p.value);
    if (table) return labelOf(table, p.value);
    return typeof p.value === 'string' ? p.value : JSON.stringify(p.value);
  };

  function submit(ev: Event) {
    ev.preventDefault();
    onStart();
    setSent(null);
    const { body, problems } = changes(guardian, d);
    if (problems.length) {
      setError(clientError(problems));
      return;
    }
    void run(
      () => parent.changeGuardian(familyId, guardian.id, body),
      (res) => {
        setSent(res.request_id);
        setD(draftOf(guardian));
        onSent();
      },
    );
  }

  const name = fullName(guardian);
  const pendingAddress = pending.get('address');
  const pendingBank = pending.get('bank');
  return (
    <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} aria-labelledby="responsable-titre">
      <h2 id="responsable-titre">Responsable : {name}</h2>
      {pending.size > 0 && <PendingBanner />}
      <ErrorSummary error={error} fields={GUARDIAN_FIELDS} />
      {sent && <SubmittedNotice requestId={sent} />}
      <RequiredNote />

      <section class="form-section" aria-labelledby="info-base">
        <h3 id="info-base">Information de base</h3>
        <div class="grid-2">
          <SelectField id="civilite" label="Civilité" value={d.civility} onValue={set('civility')} options={CIVILITIES} empty="Non renseignée" error={err('civility')} pending={pend('civility', CIVILITIES)} />
          <SelectField
            id="situation"
            label="Situation familiale"
            value={d.family_situation}
            onValue={set('family_situation')}
            options={FAMILY_SITUATIONS}
            empty="Non renseignée"
            error={err('family_situation')}
            pending={pend('family_situation', FAMILY_SITUATIONS)}
          />
          <InputField id="nom" label="Nom" required autoComplete="family-name" value={d.last_name} onValue={set('last_name')} error={err('last_name')} pending={pend('last_name')} maxLength={100} />
          <InputField id="prenom" label="Prénom" required autoComplete="given-name" value={d.first_name} onValue={set('first_name')} error={err('first_name')} pending={pend('first_name')} maxLength={100} />
          <InputField id="email" label="E-mail" type="email" autoComplete="email" spellcheck={false} value={d.email} onValue={set('email')} error={err('email')} pending={pend('email')} hint="Exemple : prenom.nom@exemple.fr" maxLength={254} />
          <InputField id="telephone" label="Téléphone" type="tel" autoComplete="tel" value={d.phone} onValue={set('phone')} error={err('phone')} pending={pend('phone')} hint="Exemple : 01 23 45 67 89" maxLength={20} />
          <SelectField id="qualite" label="Qualité" value={d.quality} onValue={set('quality')} options={QUALITIES} empty="Non renseignée" error={err('quality')} pending={pend('quality', QUALITIES)} />
          <InputField id="portable" label="Téléphone portable" type="tel" autoComplete="tel" value={d.mobile} onValue={set('mobile')} error={err('mobile')} pending={pend('mobile')} hint="Exemple : 06 12 34 56 78" maxLength={20} />
        </div>
        <Checkbox id="accepte-emails" label="Accepte de recevoir des emails" checked={d.accepts_email} onChecked={set('accepts_email')} error={err('accepts_email')} pending={pend('accepts_email')} />
        <Checkbox id="accepte-sms" label="Accepte de recevoir des SMS" checked={d.accepts_sms} onChecked={set('accepts_sms')} error={err('accepts_sms')} pending={pend('accepts_sms')} />
      </section>

      <section class="form-section" aria-labelledby="adresse-titre">
        <h3 id="adresse-titre">Adresse</h3>
        {pendingAddress && <PendingNote value={formatAddress(pendingAddress.value as never)} />}
        <InputField id="adresse-ligne1" label="Adresse" autoComplete="address-line1" value={d.line1} onValue={set('line1')} error={err('address.line1')} maxLength={200} />
        <InputField id="adresse-ligne2" label="Complément d'adresse" autoComplete="address-line2" value={d.line2} onValue={set('line2')} error={err('address.line2')} maxLength={200} />
        <div class="grid-2">
          <InputField id="code-postal" label="Code postal" autoComplete="postal-code" inputMode="numeric" value={d.postal_code} onValue={set('postal_code')} error={err('address.postal_code')} maxLength={5} />
          <InputField id="ville" label="Ville" autoComplete="address-level2" value={d.city} onValue={set('city')} error={err('address.city')} maxLength={100} />
        </div>
      </section>

      <section class="form-section" aria-labelledby="banque-titre">
        <h3 id="banque-titre">Données bancaires</h3>
        {pendingBank && <PendingNote value={formatBank(pendingBank.value as never)} />}
        <InputField id="titulaire" label="Titulaire du compte" autoComplete="name" value={d.holder} onValue={set('holder')} error={err('bank.holder')} maxLength={100} />
        <InputField
          id="iban"
          label="IBAN"
          hint={
            guardian.bank
              ? `IBAN enregistré : ${guardian.bank.iban_masked}. Par sécurité, il n'est jamais réaffiché en entier : pour le changer, saisissez le nouvel IBAN complet ; laissé vide, il reste inchangé.`
              : 'Exemple : FR76 3000 6000 0112 3456 7890 189'
          }
          autoComplete="off"
          spellcheck={false}
          value={d.iban}
          onValue={set('iban')}
          error={err('bank.iban') ?? err('iban')}
          maxLength={42}
        />
        <InputField id="bic" label="BIC" hint="8 ou 11 caractères (exemple : AGRIFRPP)" autoComplete="off" spellcheck={false} value={d.bic} onValue={set('bic')} error={err('bank.bic')} maxLength={11} />
      </section>

      <div class="actions">
        <SubmitButton busy={busy}>Soumettre la modification</SubmitButton>
      </div>
    </form>
  );
}

export function GuardiansPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const reload = dossier.reload;
  // One form's error summary at a time (they share the focus).
  const [active, setActive] = useState<'fiscal' | 'guardian' | null>(null);
  const wanted = location().query.get('responsable');

  let body;
  if (!family) body = <NoFamily />;
  else if (dossier.state === 'loading') body = <Loading text="Chargement du dossier famille…" />;
  else if (dossier.state === 'failed') body = <LoadError error={dossier.error} retry={() => void reload()} />;
  else {
    const dos = dossier.data;
    const guardian = dos.guardians.find((g) => g.id === wanted) ?? dos.guardians[0];
    body = (
      <>
        <section aria-labelledby="donnees-communes" class="spaced-bottom">
          <h2 id="donnees-communes">Données communes à la famille</h2>
          <FiscalForm key={`fiscal-${dos.id}`} dossier={dos} familyId={family.family_id} onSent={() => void reload()} onStart={() => setActive('fiscal')} active={active === 'fiscal'} />
        </section>
        {dos.guardians.length > 1 && (
          <nav class="subnav" aria-label="Responsables de la famille">
            <ul>
              {dos.guardians.map((g) => (
                <li key={g.id}>
                  <a href={withQuery('/espace-famille/ma-famille/responsables', { responsable: g.id })} aria-current={g.id === guardian?.id ? 'page' : undefined}>
                    {fullName(g)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {guardian ? (
          <GuardianForm key={guardian.id} dossier={dos} guardian={guardian} familyId={family.family_id} onSent={() => void reload()} onStart={() => setActive('guardian')} active={active === 'guardian'} />
        ) : (
          <p>Aucun responsable n'est enregistré dans ce dossier.</p>
        )}
      </>
    );
  }
  return (
    <Page title="Responsables" breadcrumb={[...FAMILY_CRUMBS, { label: 'Responsables' }]}>
      <FamilyChooser me={me} />
      <p class="lead">Consultez et modifiez les informations fiscales, les informations de base, l'adresse et les données bancaires. Toute modification est soumise à la validation de la collectivité.</p>
      {body}
    </Page>
  );
}
