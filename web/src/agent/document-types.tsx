/**
 * `/agent/pieces-justificatives`: the supporting documents the commune asks
 * the families for: whom each is about, how long it stays valid, which
 * activities make it mandatory, whether a crèche application asks for it,
 * the help parents read beside it. A type is
 * withdrawn (no longer asked for) rather than deleted.
 */
import { useState } from 'preact/hooks';

import type { FieldProblem } from '../api';
import { type Activity, type DocumentScope, type DocumentType, agent } from '../api/agent';
import { parseTypedDay } from '../dates';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { ActionError, Checkbox, Choices, DateField, ErrorSummary, formErrors, InputField, required, RequiredNote, SelectField, SubmitButton, TextAreaField, useSubmit } from '../ui/form';
import { shortDate } from './format';
import { AgentPage, EditToggleActions, Result, StateBadge, TableRegion } from './ui';

const NAME_MAX = 100;
const HELP_MAX = 500;
const MONTHS_MAX = 60;

const SCOPES: [DocumentScope, string][] = [
  ['child', 'Chaque enfant'],
  ['family', 'La famille'],
];

type Kind = 'semester' | 'year' | 'school_year' | 'months' | 'until' | 'permanent';

const KINDS: [Kind, string][] = [
  ['school_year', "Année scolaire (jusqu'au 31/08)"],
  ['year', "Année civile (jusqu'au 31/12)"],
  ['semester', "Semestre (jusqu'au 30/06 ou au 31/12)"],
  ['months', "Un nombre de mois après l'envoi"],
  ['until', "Jusqu'à une date fixe"],
  ['permanent', 'Permanente'],
];

/** A validity as the API writes it, split for the form. */
function splitValidity(v: string): { kind: Kind | ''; months: string; until: string } {
  if (v.startsWith('months:')) return { kind: 'months', months: v.slice(7), until: '' };
  if (v.startsWith('until:')) return { kind: 'until', months: '', until: shortDate(v.slice(6)) };
  const kind = KINDS.find(([k]) => k === v)?.[0] ?? '';
  return { kind, months: '', until: '' };
}

/** "Année scolaire", "6 mois", "Jusqu'au 31/08/2027"… */
export function validityText(v: string): string {
  if (v.startsWith('months:')) return `${v.slice(7)} mois`;
  if (v.startsWith('until:')) return `Jusqu'au ${shortDate(v.slice(6))}`;
  const texts: Record<string, string> = { semester: 'Semestre', year: 'Année civile', school_year: 'Année scolaire', permanent: 'Permanente' };
  return texts[v] ?? v;
}

const scopeText = (s: DocumentScope) => (s === 'child' ? 'Chaque enfant' : 'La famille');

/** `/agent/pieces-justificatives`. */
export function DocumentTypesPage() {
  const list = useLoad(() => agent.documentTypes(), [], { keep: true });
  const activities = useLoad(() => agent.activities().then((a) => a.items));
  const [editing, setEditing] = useState<DocumentType | null>(null);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const { error, run } = useSubmit();

  async function finished(text: string) {
    setEditing(null);
    await list.reload();
    setDone({ text, at: Date.now() });
  }

  function toggle(t: DocumentType) {
    void run(
      () => agent.updateDocumentType(t.id, { active: !t.active }),
      (n) => void finished(n.active ? `Pièce « ${n.name} » rétablie : elle est de nouveau demandée aux familles.` : `Pièce « ${n.name} » retirée : elle n'est plus demandée aux familles.`),
    );
  }

  const names = new Map((activities.data ?? []).map((a) => [a.id, a.name]));
  const items = list.data?.items;
  return (
    <AgentPage title="Pièces justificatives" crumbs={[{ label: 'Pièces justificatives' }]}>
      <p>
        Les documents que la commune demande aux familles : pour chaque enfant ou pour la famille, avec leur durée de validité. Un document est obligatoire pour les enfants
        inscrits à une des activités cochées ; une pièce exigée pour une préinscription en crèche est demandée avec chaque préinscription en cours.
      </p>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <ActionError error={error} />
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des pièces justificatives…" />
      ) : items.length === 0 ? (
        <p>Aucune pièce justificative n'est encore demandée.</p>
      ) : (
        <TableRegion labelledBy="pieces-legende">
          <table class="bo-table">
            <caption id="pieces-legende">Pièces justificatives demandées, par nom</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Concerne</th>
                <th scope="col">Validité</th>
                <th scope="col">Obligatoire pour</th>
                <th scope="col">Préinscription en crèche</th>
                <th scope="col">Aide</th>
                <th scope="col">État</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>{scopeText(t.scope)}</td>
                  <td>{validityText(t.validity)}</td>
                  <td>{t.mandatory_for.length ? t.mandatory_for.map((id) => names.get(id) ?? id).join(', ') : <span class="bo-muted">Aucune activité</span>}</td>
                  <td>{t.creche ? 'Exigée' : <span class="bo-muted">Non exigée</span>}</td>
                  <td>{t.help || <span class="bo-muted">Aucune</span>}</td>
                  <td>
                    <StateBadge state={t.active ? 'accepted' : 'cancelled'} text={t.active ? 'Active' : 'Retirée'} />
                  </td>
                  <td>
                    <EditToggleActions what={`la pièce ${t.name}`} active={t.active} off="Retirer" on="Rétablir" onEdit={() => setEditing(t)} onToggle={() => toggle(t)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {activities.error ? (
        <LoadFailure error={activities.error} />
      ) : !activities.data ? (
        <Loading text="Chargement des activités…" />
      ) : editing ? (
        <TypeForm key={editing.id} type={editing} activities={activities.data} onDone={finished} onClose={() => setEditing(null)} />
      ) : (
        <TypeForm key="nouvelle" type={null} activities={activities.data} onDone={finished} />
      )}
    </AgentPage>
  );
}

const FIELD_IDS: Record<string, string> = {
  name: 'piece-nom',
  scope: 'piece-concerne',
  kind: 'piece-validite',
  months: 'piece-mois',
  until: 'piece-date',
  mandatory_for: 'piece-activites',
  help: 'piece-aide',
};

interface FormProps {
  type: DocumentType | null;
  activities: Activity[];
  onDone: (text: string) => Promise<void>;
  onClose?: () => void;
}

function TypeForm({ type, activities, onDone, onClose }: FormProps) {
  const initial = splitValidity(type?.validity ?? '');
  const [name, setName] = useState(type?.name ?? '');
  const [scope, setScope] = useState<DocumentScope | null>(type?.scope ?? null);
  const [kind, setKind] = useState<Kind | ''>(initial.kind);
  const [months, setMonths] = useState(initial.months);
  const [until, setUntil] = useState(initial.until);
  const [mandatory, setMandatory] = useState<string[]>(type?.mandatory_for ?? []);
  const [help, setHelp] = useState(type?.help ?? '');
  const [creche, setCreche] = useState(type?.creche ?? false);
  const { busy, error, setError, run } = useSubmit();
  // The API names one field, `validity`: shown where the agent typed it.
  const validityField = kind === 'months' ? 'months' : kind === 'until' ? 'until' : 'kind';
  const fields = { ...FIELD_IDS, validity: FIELD_IDS[validityField] ?? 'piece-validite' };
  const err = (f: string) => error?.fieldMessage(f) ?? (f === validityField ? error?.fieldMessage('validity') : undefined);

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!name.trim()) local.push(required('name', 'Nom du document'));
    if (!scope) local.push(required('scope', 'Concerne'));
    let validity = kind as string;
    if (!kind) local.push(required('kind', 'Validité'));
    if (kind === 'months') {
      const n = Number(months.trim());
      if (!/^[0-9]{1,2}$/.test(months.trim()) || n < 1 || n > MONTHS_MAX)
        local.push({ field: 'months', code: 'invalid_validity', message: `Indiquez un nombre de mois de 1 à ${MONTHS_MAX}.` });
      validity = `months:${n}`;
    }
    if (kind === 'until') {
      const day = parseTypedDay(until);
      if (!day) local.push({ field: 'until', code: 'invalid_validity', message: "Indiquez la date de fin de validité au format JJ/MM/AAAA." });
      validity = `until:${day ?? ''}`;
    }
    if (help.trim().length > HELP_MAX) local.push({ field: 'help', code: 'invalid_help', message: `L'aide ne doit pas dépasser ${HELP_MAX} caractères.` });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    // Ids of activities deleted since, kept by the type, are left as they are.
    const body = { name: name.trim(), scope: scope as DocumentScope, validity, mandatory_for: mandatory, help: help.trim(), creche };
    void run(
      () => (type ? agent.updateDocumentType(type.id, body) : agent.createDocumentType(body)),
      () => {
        if (!type) {
          setName('');
          setScope(null);
          setKind('');
          setMonths('');
          setUntil('');
          setMandatory([]);
          setHelp('');
          setCreche(false);
        }
        void onDone(type ? `Pièce « ${body.name} » modifiée.` : `Pièce « ${body.name} » ajoutée.`);
      },
    );
  }

  const title = type ? `Modifier la pièce « ${type.name} »` : 'Ajouter une pièce justificative';
  return (
    <section class="panel form-section spaced-small" aria-labelledby="piece-titre">
      {type ? (
        <h2 id="piece-titre" tabIndex={-1} ref={(h) => h?.focus()}>
          {title}
        </h2>
      ) : (
        <h2 id="piece-titre">{title}</h2>
      )}
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={error} id="piece-erreurs" fields={fields} />
        <InputField
          autoComplete="off"
          id="piece-nom"
          label="Nom du document"
          hint="Tel que les familles le liront, par exemple « Attestation d'assurance extra-scolaire »."
          required
          value={name}
          onValue={setName}
          error={err('name')}
          maxLength={NAME_MAX}
        />
        <Choices<DocumentScope>
          id="piece-concerne"
          legend="Concerne"
          type="radio"
          required
          options={SCOPES}
          checked={(v) => scope === v}
          onToggle={(v, on) => on && setScope(v)}
          error={err('scope')}
        />
        <SelectField
          id="piece-validite"
          label="Validité"
          hint="Jusqu'à quand un document accepté reste valable."
          required
          empty="Choisir une validité"
          value={kind}
          onValue={(v) => setKind(v as Kind | '')}
          options={KINDS}
          error={err('kind')}
        />
        {kind === 'months' && (
          <InputField
            autoComplete="off"
            id="piece-mois"
            label="Nombre de mois"
            hint={`De 1 à ${MONTHS_MAX}, comptés à partir du jour de l'envoi.`}
            inputMode="numeric"
            required
            value={months}
            onValue={setMonths}
            error={err('months')}
            maxLength={2}
            short
          />
        )}
        {kind === 'until' && <DateField id="piece-date" label="Valable jusqu'au" required value={until} onValue={setUntil} error={err('until')} short />}
        {activities.length === 0 ? (
          <p>Aucune activité n'est encore créée : le document ne peut être obligatoire pour aucune.</p>
        ) : (
          <Choices<string>
            id="piece-activites"
            legend="Obligatoire pour"
            hint="Les enfants inscrits à ces activités doivent fournir le document. Aucune case cochée : le document est facultatif."
            type="checkbox"
            inline={false}
            options={activities.map((a) => [a.id, a.name])}
            checked={(v) => mandatory.includes(v)}
            onToggle={(v, on) => setMandatory((m) => (on ? [...m.filter((x) => x !== v), v] : m.filter((x) => x !== v)))}
            error={err('mandatory_for')}
          />
        )}
        <Checkbox
          id="piece-creche"
          label="Exigé pour une préinscription en crèche"
          hint="Demandé avec chaque préinscription en crèche en cours : le document de la famille, ou celui de l'enfant (après sa naissance pour un enfant à naître)."
          checked={creche}
          onChecked={setCreche}
        />
        <TextAreaField
          id="piece-aide"
          label="Aide"
          hint={`Facultatif, ${HELP_MAX} caractères au plus : affichée aux familles à côté du document.`}
          value={help}
          onValue={setHelp}
          error={err('help')}
          maxLength={HELP_MAX}
        />
        <div class="actions">
          <SubmitButton busy={busy}>{type ? 'Enregistrer' : 'Ajouter la pièce'}</SubmitButton>
          {onClose && (
            <button type="button" class="button button--secondary" onClick={onClose}>
              Fermer
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
