/**
 * The lists of a child's form: allergies, vaccines, authorized adults.
 * Each shows what is recorded, a button to remove an item, and a small
 * form to add one (checked here for what is required, by the server for
 * the rest: its errors come back on the item's row).
 */
import { useRef, useState } from 'preact/hooks';

import { labelOf, RELATIONSHIPS, yesNo } from '../labels';
import { Checkbox, DateField, InputField, SelectField } from '../ui/form';
import { numericDay, parseTypedDay, today } from '../dates';
import { type ContactDraft, type Relationship, type Vaccine } from './model';
import { PendingNote } from '../ui/pending';

/** Moves the focus after the list changed (the removed button is gone). */
function focusSoon(id: string): void {
  setTimeout(() => document.getElementById(id)?.focus(), 0);
}

// ---- Allergies ----------------------------------------------------------------

export function AllergiesEditor({ value, onChange, pending }: { value: string[]; onChange: (v: string[]) => void; pending?: string | undefined }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  function add() {
    const v = text.trim();
    if (v === '') {
      setError("Saisissez l'allergie à ajouter (exemple : Alimentaires gluten).");
      focusSoon('allergie-nouvelle');
      return;
    }
    if (value.some((a) => a.toLowerCase() === v.toLowerCase())) {
      setError('Cette allergie est déjà dans la liste.');
      return;
    }
    setError(undefined);
    onChange([...value, v]);
    setText('');
  }
  return (
    <div class="field" id="allergies">
      <h4>Allergies</h4>
      {value.length === 0 ? (
        <p>Aucune allergie renseignée.</p>
      ) : (
        <ul class="tags">
          {value.map((a, i) => (
            <li key={a}>
              <span>{a}</span>
              <button
                type="button"
                class="button button--secondary button--small"
                id={`allergie-${i}-retirer`}
                onClick={() => {
                  onChange(value.filter((x) => x !== a));
                  focusSoon(value.length > 1 ? `allergie-${Math.max(0, i - 1)}-retirer` : 'allergie-nouvelle');
                }}
              >
                Retirer<span class="visually-hidden"> l'allergie « {a} »</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {pending !== undefined && <PendingNote value={pending} />}
      <div class="inline-form">
        <InputField
          id="allergie-nouvelle"
          label="Ajouter une allergie"
          value={text}
          onValue={setText}
          error={error}
          maxLength={100}
          class="grow"
        />
        <button
          type="button"
          class="button button--secondary"
          onClick={add}
        >
          Ajouter<span class="visually-hidden"> l'allergie</span>
        </button>
      </div>
    </div>
  );
}


// ---- Vaccins ------------------------------------------------------------------

export function VaccinesEditor({
  value,
  onChange,
  errors,
  pending,
}: {
  value: Vaccine[];
  onChange: (v: Vaccine[]) => void;
  /** Server errors by row index. */
  errors: Map<number, string[]>;
  pending?: string | undefined;
}) {
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [date, setDate] = useState('');
  const [booster, setBooster] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const addButton = useRef<HTMLButtonElement>(null);

  function open() {
    setAdding(true);
    focusSoon('vaccin-nom');
  }
  function close() {
    setAdding(false);
    setName('');
    setDate('');
    setBooster('');
    setProblems({});
    setTimeout(() => addButton.current?.focus(), 0);
  }
  function add() {
    const p: Record<string, string> = {};
    const day = parseTypedDay(date);
    const boosterDay = booster.trim() === '' ? null : parseTypedDay(booster);
    if (name.trim() === '') p['nom'] = 'Le champ « Vaccin » est obligatoire.';
    if (!day) p['date'] = 'Indiquez la date de vaccination (JJ/MM/AAAA).';
    else if (day > today()) p['date'] = 'La date de vaccination ne peut pas être dans le futur.';
    if (booster.trim() !== '' && !boosterDay) p['rappel'] = 'La date de rappel doit être une date (JJ/MM/AAAA).';
    setProblems(p);
    const first = Object.keys(p)[0];
    if (first) {
      focusSoon(`vaccin-${first}`);
      return;
    }
    onChange([...value, { name: name.trim(), date: day as string, booster_date: boosterDay }]);
    close();
  }

  return (
    <div class="field" id="vaccins">
      <h4 id="vaccins-titre">Vaccins</h4>
      <div class="table-wrap">
        <table class="data-table table-stack" aria-labelledby="vaccins-titre">
          <thead>
            <tr>
              <th scope="col">Vaccin</th>
              <th scope="col">Date de vaccination</th>
              <th scope="col">Date de rappel</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {value.length === 0 && (
              <tr>
                <td colSpan={4}>Aucun vaccin renseigné.</td>
              </tr>
            )}
            {value.map((v, i) => {
              const errs = errors.get(i);
              return (
                <tr key={`${v.name}-${v.date}-${i}`} class={errs ? 'row--error' : undefined}>
                  <th scope="row" id={`vaccin-${i}`} tabIndex={-1} data-label="Vaccin">
                    {v.name}
                    {errs?.map((m) => (
                      <span class="field-error" key={m}>
                        <span class="visually-hidden">Erreur : </span>
                        {m}
                      </span>
                    ))}
                  </th>
                  <td data-label="Date de vaccination">{v.date ? numericDay(v.date) : ''}</td>
                  <td data-label="Date de rappel">{v.booster_date ? numericDay(v.booster_date) : '—'}</td>
                  <td>
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      id={`vaccin-${i}-retirer`}
                      onClick={() => {
                        onChange(value.filter((_, j) => j !== i));
                        focusSoon('vaccin-ajouter');
                      }}
                    >
                      Retirer<span class="visually-hidden"> le vaccin « {v.name} »</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pending !== undefined && <PendingNote value={pending} />}
      {adding ? (
        <fieldset class="subform">
          <legend>Ajouter un vaccin</legend>
          <InputField id="vaccin-nom" label="Vaccin" required value={name} onValue={setName} error={problems['nom']} maxLength={100} />
          <DateField id="vaccin-date" label="Date de vaccination" required value={date} onValue={setDate} error={problems['date']} />
          <DateField id="vaccin-rappel" label="Date de rappel" hint="Facultative. Format : JJ/MM/AAAA" value={booster} onValue={setBooster} error={problems['rappel']} />
          <div class="actions">
            <button type="button" class="button" onClick={add}>
              Ajouter à la liste
            </button>
            <button type="button" class="button button--secondary" onClick={close}>
              Annuler
            </button>
          </div>
        </fieldset>
      ) : (
        <p>
          <button type="button" class="button button--secondary" id="vaccin-ajouter" ref={addButton} onClick={open}>
            Ajouter un vaccin
          </button>
        </p>
      )}
    </div>
  );
}

// ---- Contacts -------------------------------------------------------------------

const PHONE = /^(?:0\d{9}|\+33\d{9})$/;

export function ContactsEditor({
  value,
  onChange,
  errors,
  pending,
}: {
  value: ContactDraft[];
  onChange: (v: ContactDraft[]) => void;
  errors: Map<number, string[]>;
  pending?: string | undefined;
}) {
  const blank: ContactDraft = { full_name: '', mobile: '', phone: '', relationship: 'other', emergency_call: false, may_pick_up: false };
  const [adding, setAdding] = useState(false);
  const [c, setC] = useState<ContactDraft>(blank);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const addButton = useRef<HTMLButtonElement>(null);
  const set =
    <K extends keyof ContactDraft>(k: K) =>
    (v: ContactDraft[K]) =>
      setC((old) => ({ ...old, [k]: v }));

  function open() {
    setAdding(true);
    focusSoon('contact-nom');
  }
  function close() {
    setAdding(false);
    setC(blank);
    setProblems({});
    setTimeout(() => addButton.current?.focus(), 0);
  }
  function add() {
    const p: Record<string, string> = {};
    if (c.full_name.trim() === '') p['nom'] = 'Le champ « Nom complet » est obligatoire.';
    const mobile = c.mobile.replace(/[\s.]/g, '');
    const phone = c.phone.replace(/[\s.]/g, '');
    if (mobile !== '' && !PHONE.test(mobile)) p['mobile'] = 'Le champ « Mobile » doit être un numéro français à 10 chiffres (exemple : 06 12 34 56 78).';
    if (phone !== '' && !PHONE.test(phone)) p['telephone'] = 'Le champ « Téléphone » doit être un numéro français à 10 chiffres (exemple : 01 23 45 67 89).';
    setProblems(p);
    const first = Object.keys(p)[0];
    if (first) {
      focusSoon(`contact-${first}`);
      return;
    }
    onChange([...value, { ...c, full_name: c.full_name.trim(), mobile: c.mobile.trim(), phone: c.phone.trim() }]);
    close();
  }

  return (
    <div id="contacts">
      <div class="table-wrap">
        <table class="data-table table-stack" aria-labelledby="contacts-titre">
          <thead>
            <tr>
              <th scope="col">Nom complet</th>
              <th scope="col">Mobile</th>
              <th scope="col">Téléphone</th>
              <th scope="col">Lien de parenté</th>
              <th scope="col">Appelé en cas d'urgence</th>
              <th scope="col">Autorisé à récupérer l'enfant</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {value.length === 0 && (
              <tr>
                <td colSpan={7}>Aucun adulte habilité n'est renseigné.</td>
              </tr>
            )}
            {value.map((x, i) => {
              const errs = errors.get(i);
              return (
                <tr key={x.id ?? `nouveau-${i}`} class={errs ? 'row--error' : undefined}>
                  <th scope="row" id={`contact-${i}`} tabIndex={-1} data-label="Nom complet">
                    {x.full_name}
                    {!x.id && <span class="badge">nouveau</span>}
                    {errs?.map((m) => (
                      <span class="field-error" key={m}>
                        <span class="visually-hidden">Erreur : </span>
                        {m}
                      </span>
                    ))}
                  </th>
                  <td data-label="Mobile">{x.mobile || '—'}</td>
                  <td data-label="Téléphone">{x.phone || '—'}</td>
                  <td data-label="Lien de parenté">{labelOf(RELATIONSHIPS, x.relationship)}</td>
                  <td data-label="Appelé en cas d'urgence">{yesNo(x.emergency_call)}</td>
                  <td data-label="Autorisé à récupérer l'enfant">{yesNo(x.may_pick_up)}</td>
                  <td>
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      onClick={() => {
                        onChange(value.filter((_, j) => j !== i));
                        focusSoon('contact-ajouter');
                      }}
                    >
                      Retirer<span class="visually-hidden"> {x.full_name}</span>
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pending !== undefined && <PendingNote value={pending} />}
      {adding ? (
        <fieldset class="subform">
          <legend>Ajouter un adulte</legend>
          <InputField id="contact-nom" label="Nom complet" required autoComplete="off" value={c.full_name} onValue={set('full_name')} error={problems['nom']} maxLength={100} />
          <div class="grid-2">
            <InputField id="contact-mobile" label="Mobile" type="tel" autoComplete="off" value={c.mobile} onValue={set('mobile')} error={problems['mobile']} maxLength={20} />
            <InputField id="contact-telephone" label="Téléphone" type="tel" autoComplete="off" value={c.phone} onValue={set('phone')} error={problems['telephone']} maxLength={20} />
          </div>
          <SelectField id="contact-lien" label="Lien de parenté" required value={c.relationship} onValue={(v) => set('relationship')(v as Relationship)} options={RELATIONSHIPS} />
          <Checkbox id="contact-urgence" label="Appelé en cas d'urgence" checked={c.emergency_call} onChecked={set('emergency_call')} />
          <Checkbox id="contact-recuperer" label="Autorisé à récupérer l'enfant" checked={c.may_pick_up} onChecked={set('may_pick_up')} />
          <div class="actions">
            <button type="button" class="button" onClick={add}>
              Ajouter à la liste
            </button>
            <button type="button" class="button button--secondary" onClick={close}>
              Annuler
            </button>
          </div>
        </fieldset>
      ) : (
        <p>
          <button type="button" class="button button--secondary" id="contact-ajouter" ref={addButton} onClick={open}>
            Ajouter un adulte
          </button>
        </p>
      )}
    </div>
  );
}
