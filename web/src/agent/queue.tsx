/**
 * `/agent/demandes`: the requests waiting for the commune, oldest first,
 * filtered by kind, family, activity and day (in the address, so that a
 * filtered queue can be bookmarked), decided one by one, by selection, or
 * all at once for an activity on a day.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { DECISIONS, REQUEST_KINDS, SKIP_REASONS } from '../labels';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import type { ApiError } from '../api';
import { location, navigate } from '../router';
import { ErrorSummary, formErrors, InputField, SelectField, TextAreaField, useSubmit } from '../ui/form';
import { type BulkAnswer, type Decision, type FamilyLine, type QueueFilter, type QueueItem, type RequestKind, agent, moreFamilies, searchFamilies } from '../api/agent';
import { dateTime, dayDate, hhmm, longDate, plural } from './format';
import { AgentPage, ConfirmDialog, Result, TableRegion } from './ui';

function readFilter(q: URLSearchParams): QueueFilter {
  const kind = q.get('type');
  return {
    kind: kind && kind in REQUEST_KINDS ? (kind as RequestKind) : undefined,
    family_id: q.get('famille') || undefined,
    activity_id: q.get('activite') || undefined,
    date: q.get('jour') || undefined,
  };
}

function queueUrl(f: QueueFilter): string {
  const q = new URLSearchParams();
  if (f.kind) q.set('type', f.kind);
  if (f.family_id) q.set('famille', f.family_id);
  if (f.activity_id) q.set('activite', f.activity_id);
  if (f.date) q.set('jour', f.date);
  const s = q.toString();
  return `/agent/demandes${s ? `?${s}` : ''}`;
}

/** "lun. 01/02/2027 – 4/Péri SOIR (16:30)". */
export function planningLine(r: { date?: string | null; activity?: string | null; start?: string | null }): string {
  if (!r.date) return '';
  return [dayDate(r.date), r.activity && `${r.activity}${r.start ? ` (${hhmm(r.start)})` : ''}`].filter(Boolean).join(' – ');
}

function Filters({ filter, familyLabel }: { filter: QueueFilter; familyLabel: string | null }) {
  const activities = useLoad(() => agent.activities().then((a) => a.items));
  const [kind, setKind] = useState<string>(filter.kind ?? '');
  const [activity, setActivity] = useState(filter.activity_id ?? '');
  const [day, setDay] = useState(filter.date ?? '');
  const [family, setFamily] = useState('');
  const [choices, setChoices] = useState<FamilyLine[] | null>(null);
  const [moreChoices, setMoreChoices] = useState(false);
  const [notFound, setNotFound] = useState<string | null>(null);
  const { busy, run } = useSubmit();

  function target(familyId: string | undefined): string {
    return queueUrl({ kind: (kind || undefined) as RequestKind | undefined, family_id: familyId, activity_id: activity || undefined, date: day || undefined });
  }

  function submit(ev: Event) {
    ev.preventDefault();
    setChoices(null);
    setNotFound(null);
    if (!family.trim()) {
      navigate(target(filter.family_id));
      return;
    }
    void run(
      () => searchFamilies(family),
      ({ items, search }) => {
        setMoreChoices(moreFamilies(search));
        if (items.length === 1 && !moreFamilies(search)) navigate(target((items[0] as FamilyLine).id));
        else if (items.length === 0) {
          setNotFound(`Aucune famille ne commence par « ${family.trim()} ».`);
          document.getElementById('filtre-famille')?.focus();
        } else setChoices(items);
      },
    );
  }

  const activityOptions: [string, string][] = (activities.data ?? []).map((a) => [a.id, `${a.name} – ${a.establishment}`]);
  return (
    <form class="panel bo-filters" role="search" aria-labelledby="filtres-titre" onSubmit={submit} noValidate>
      <h2 id="filtres-titre">Filtrer les demandes</h2>
      <div class="bo-grid">
        <SelectField id="filtre-type" label="Type de demande" value={kind} onValue={setKind} empty="Tous les types" options={Object.entries(REQUEST_KINDS)} />
        <SelectField
          id="filtre-activite"
          label="Activité"
          value={activity}
          onValue={setActivity}
          empty={activities.data ? 'Toutes les activités' : 'Chargement des activités…'}
          options={activityOptions}
        />
        <InputField autoComplete="off" id="filtre-jour" type="date" label="Jour" hint="Réservations et absences de ce jour" value={day} onValue={setDay} short />
        <InputField autoComplete="off"
          id="filtre-famille"
          label="Famille"
          hint={familyLabel ? `Filtre actuel : ${familyLabel}. Début du nom d'une autre famille pour en changer.` : 'Début du nom (exemple : Martin)'}
          value={family}
          onValue={setFamily}
          error={notFound ?? undefined}
        />
      </div>
      {choices && (
        <div class="notice" role="status">
          <p>
            <strong>
              {choices.length} familles{moreChoices ? ' (au moins)' : ''} correspondent :
            </strong>{' '}
            choisissez-en une{moreChoices ? ', ou précisez le nom' : ''}.
          </p>
          <ul>
            {choices.map((f) => (
              <li key={f.id}>
                <a href={target(f.id)}>{f.label}</a>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="actions">
        <button type="submit" class="button" aria-disabled={busy ? 'true' : undefined}>
          Filtrer
        </button>
        {(filter.kind || filter.family_id || filter.activity_id || filter.date) && <a href="/agent/demandes">Effacer les filtres</a>}
        {familyLabel && <a href={queueUrl({ ...filter, family_id: undefined })}>Retirer le filtre « {familyLabel} »</a>}
      </div>
    </form>
  );
}

interface Outcome {
  decision: Decision;
  answer: BulkAnswer;
  /** The lines as they were, to name the skipped ones. */
  lines: Map<string, QueueItem>;
  what: string;
}

function OutcomeNotice({ outcome }: { outcome: Outcome }) {
  const { answer, decision, lines } = outcome;
  const n = answer.decided.length;
  return (
    <Result token={outcome}>
      <p>
        <strong>
          {n === 0
            ? `Aucune demande ${DECISIONS[decision]}.`
            : `${plural(n, `demande ${DECISIONS[decision]}`, `demandes ${DECISIONS[decision]}s`)} (${outcome.what}).`}
        </strong>
      </p>
      {answer.skipped.length > 0 && (
        <>
          <p>{plural(answer.skipped.length, "demande n'a pas pu être traitée", "demandes n'ont pas pu être traitées")} :</p>
          <ul>
            {answer.skipped.map((s) => {
              const line = lines.get(s.id);
              const name = line ? `${line.description} – ${line.family_label}${line.date ? ` – ${dayDate(line.date)}` : ''}` : `Demande ${s.id}`;
              return (
                <li key={s.id}>
                  {name} : {SKIP_REASONS[s.code] ?? `refusée par le serveur (${s.code})`}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </Result>
  );
}

export function QueuePage() {
  const { query } = location();
  const filter = readFilter(query);
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [dayDialog, setDayDialog] = useState<Decision | null>(null);
  const [dayMessage, setDayMessage] = useState('');
  const family = useLoad<string | null>(() => (filter.family_id ? agent.family(filter.family_id).then((d) => d.label) : Promise.resolve(null)));
  const activity = useLoad(() => (filter.activity_id ? agent.activity(filter.activity_id) : Promise.resolve(null)));
  const { busy, error, setError, run } = useSubmit();
  const firstNew = useRef<string | null>(null);

  async function loadFirst(): Promise<void> {
    try {
      const page = await agent.queue(filter);
      setItems(page.items);
      setNext(page.next_page ?? null);
      setLoadError(null);
    } catch (e) {
      setLoadError(e as ApiError);
    }
  }

  useEffect(() => {
    void loadFirst();
  }, []);

  useEffect(() => {
    // After "Afficher les demandes suivantes": the first new line's box.
    if (firstNew.current) {
      document.getElementById(`choix-${firstNew.current}`)?.focus();
      firstNew.current = null;
    }
  }, [items]);

  async function loadMore() {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await agent.queue(filter, next);
      const known = new Set((items ?? []).map((i) => i.id));
      const fresh = page.items.filter((i) => !known.has(i.id));
      firstNew.current = fresh[0]?.id ?? null;
      setItems([...(items ?? []), ...fresh]);
      setNext(page.next_page ?? null);
    } catch (e) {
      setLoadError(e as ApiError);
    } finally {
      setLoadingMore(false);
    }
  }

  function toggle(id: string, on: boolean) {
    const s = new Set(selected);
    if (on) s.add(id);
    else s.delete(id);
    setSelected(s);
  }

  function decideSelection(decision: Decision) {
    if (selected.size === 0) {
      setError(formErrors([{ field: 'ids', code: 'required', message: 'Sélectionnez au moins une demande dans la liste.' }]));
      return;
    }
    const lines = new Map((items ?? []).map((i) => [i.id, i]));
    void run(
      () => agent.decideMany({ ids: [...selected], decision, message: message.trim() || null }),
      async (answer) => {
        setSelected(new Set());
        setMessage('');
        await loadFirst();
        setOutcome({ decision, answer, lines, what: 'sélection' });
      },
    );
  }

  function decideDay(decision: Decision) {
    setDayDialog(null);
    if (!filter.activity_id || !filter.date) return;
    const lines = new Map((items ?? []).map((i) => [i.id, i]));
    void run(
      () => agent.decideMany({ activity_id: filter.activity_id, date: filter.date, decision, message: dayMessage.trim() || null }),
      async (answer) => {
        setDayMessage('');
        setSelected(new Set());
        await loadFirst();
        setOutcome({ decision, answer, lines, what: `${activity.data?.name ?? 'activité'}, ${longDate(filter.date)}` });
      },
    );
  }

  const filtered = !!(filter.kind || filter.family_id || filter.activity_id || filter.date);
  const allOn = !!items?.length && items.every((i) => selected.has(i.id));
  const dayName = activity.data ? `${activity.data.name}, ${longDate(filter.date)}` : longDate(filter.date);

  return (
    <AgentPage title="Demandes en attente" error={!!error} crumbs={[{ label: 'Demandes' }]}>
      <p class="lead">Les demandes des familles qui attendent une décision, les plus anciennes d'abord.</p>
      <Filters filter={filter} familyLabel={family.data ?? null} />

      {outcome && <OutcomeNotice outcome={outcome} />}
      <ErrorSummary error={error} fields={{ ids: items?.[0] ? `choix-${items[0].id}` : 'choix-tout' }} />

      {filter.activity_id && filter.date && (
        <section class="panel spaced-small" aria-labelledby="jour-titre">
          <h2 id="jour-titre">Toute la journée : {dayName}</h2>
          <p>Décider en une fois toutes les réservations et absences en attente pour cette activité ce jour-là.</p>
          <div class="actions">
            <button type="button" class="button" onClick={() => setDayDialog('accepted')}>
              Tout accepter pour cette activité et ce jour
            </button>
            <button type="button" class="button button--secondary" onClick={() => setDayDialog('refused')}>
              Tout refuser pour cette activité et ce jour
            </button>
          </div>
          <ConfirmDialog
            id="confirmer-jour"
            open={dayDialog !== null}
            title={dayDialog === 'refused' ? 'Tout refuser pour ce jour ?' : 'Tout accepter pour ce jour ?'}
            confirm={dayDialog === 'refused' ? 'Tout refuser' : 'Tout accepter'}
            onConfirm={() => dayDialog && decideDay(dayDialog)}
            onClose={() => setDayDialog(null)}
          >
            <p>
              Toutes les demandes en attente pour {dayName} seront {dayDialog === 'refused' ? 'refusées' : 'acceptées'}. Les familles en
              seront informées dans l'accusé de traitement.
            </p>
            <TextAreaField id="message-jour" label="Message aux familles (facultatif)" value={dayMessage} onValue={setDayMessage} maxLength={2000} />
          </ConfirmDialog>
        </section>
      )}

      <section aria-labelledby="liste-titre" class="spaced-small">
        <h2 id="liste-titre">
          {filtered ? 'Demandes correspondant aux filtres' : 'Toutes les demandes en attente'}
        </h2>
        {loadError ? (
          <LoadFailure error={loadError} />
        ) : !items ? (
          <Loading text="Chargement des demandes…" />
        ) : items.length === 0 ? (
          <p role="status">{filtered ? 'Aucune demande en attente ne correspond à ces filtres.' : "Aucune demande n'attend de traitement."}</p>
        ) : (
          <form onSubmit={(e) => e.preventDefault()} noValidate>
            <p role="status">
              {plural(items.length, 'demande affichée', 'demandes affichées')}
              {next ? " ; d'autres suivent" : ''}.
            </p>
            <TableRegion labelledBy="liste-legende">
              <table class="bo-table">
                <caption id="liste-legende">Demandes en attente, les plus anciennes d'abord</caption>
                <thead>
                  <tr>
                    <th scope="col" class="bo-col-check">
                      <input
                        type="checkbox"
                        id="choix-tout"
                        checked={allOn}
                        onChange={(e) => setSelected(e.currentTarget.checked ? new Set(items.map((i) => i.id)) : new Set())}
                      />
                      <label for="choix-tout" class="visually-hidden">
                        Tout sélectionner
                      </label>
                    </th>
                    <th scope="col">Reçue le</th>
                    <th scope="col">Famille</th>
                    <th scope="col">Enfant</th>
                    <th scope="col">Demande</th>
                    <th scope="col">Type</th>
                    <th scope="col">Jour et activité</th>
                    <th scope="col">Messages</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((r, i) => (
                    <tr key={r.id}>
                      <td class="bo-col-check">
                        <input
                          type="checkbox"
                          id={`choix-${r.id}`}
                          checked={selected.has(r.id)}
                          onChange={(e) => toggle(r.id, e.currentTarget.checked)}
                          aria-describedby={i === 0 && error?.fieldMessage('ids') ? 'erreurs' : undefined}
                        />
                        <label for={`choix-${r.id}`} class="visually-hidden">
                          Sélectionner : {r.description}, {r.family_label}
                          {r.date ? `, ${dayDate(r.date)}` : ''}
                        </label>
                      </td>
                      <td>{dateTime(r.created_at)}</td>
                      <td>
                        <a href={`/agent/familles/${r.family_id}`}>{r.family_label || 'Famille'}</a>
                      </td>
                      <td>{r.child_first_name ? [r.child_first_name, r.child_last_name].filter(Boolean).join(' ') : <span class="bo-muted">Sans objet</span>}</td>
                      <td>
                        <a href={`/agent/demandes/${r.id}`}>
                          {r.description}
                          <span class="visually-hidden">
                            {' '}
                            – {r.family_label}
                            {r.date ? `, ${dayDate(r.date)}` : `, reçue le ${dateTime(r.created_at)}`}
                          </span>
                        </a>
                      </td>
                      <td>{REQUEST_KINDS[r.kind] ?? r.kind}</td>
                      <td>{planningLine(r) || <span class="bo-muted">Sans objet</span>}</td>
                      <td>
                        {r.new_messages > 0 ? (
                          plural(r.new_messages, 'message non lu par la famille', 'messages non lus par la famille')
                        ) : (
                          <span class="bo-muted">Aucun</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            {next && (
              <p>
                <button type="button" class="button button--secondary" onClick={loadMore} aria-disabled={loadingMore ? 'true' : undefined}>
                  {loadingMore ? 'Chargement…' : 'Afficher les demandes suivantes'}
                </button>
              </p>
            )}

            <div class="panel panel--tinted spaced-small">
              <h3 id="selection-titre">Traiter la sélection</h3>
              <p role="status" aria-live="polite">
                {selected.size === 0 ? 'Aucune demande sélectionnée.' : plural(selected.size, 'demande sélectionnée', 'demandes sélectionnées') + '.'}
              </p>
              <TextAreaField
                id="message-selection"
                label="Message à la famille (facultatif)"
                hint="Joint à chaque demande traitée ; la famille le lit dans l'historique de sa demande."
                value={message}
                onValue={setMessage}
                maxLength={2000}
              />
              <div class="actions">
                <button type="button" class="button" onClick={() => decideSelection('accepted')} aria-disabled={busy ? 'true' : undefined}>
                  Accepter la sélection
                </button>
                <button type="button" class="button button--secondary" onClick={() => decideSelection('refused')} aria-disabled={busy ? 'true' : undefined}>
                  Refuser la sélection
                </button>
              </div>
            </div>
          </form>
        )}
      </section>
    </AgentPage>
  );
}
