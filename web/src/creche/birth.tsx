/**
 * `/creche/{id}/naissance`, « Déclarer la naissance »: the parent of a
 * child expected gives the first name, the sex and the birth date; the
 * child joins the family's dossier (and the application) once the commune
 * validates the dossier change.
 */
import { useState } from 'preact/hooks';

import { type FieldProblem, type Me, creche } from '../api';
import { parseTypedDay } from '../dates';
import { FAMILY_CRUMBS } from '../family/guardians';
import { useCurrentFamily } from '../family/current';
import { FamilyChooser, NoFamily } from '../family/ui';
import { SEXES } from '../labels';
import { navigate } from '../router';
import { setFlash } from '../session';
import { Choices, DateField, ErrorSummary, InputField, RequiredNote, SubmitButton, formErrors, required, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { Page } from '../ui/page';
import './creche.css';

const FIRST_NAME_MAX = 50;
const FIELDS: Record<string, string> = {
  first_name: 'naissance-prenom',
  sex: 'naissance-sexe',
  birth_date: 'naissance-date',
};

/** The page of an application. */
const applicationPath = (id: string) => `/creche/${encodeURIComponent(id)}`;
/** Its birth page. */
export const birthPath = (id: string) => `${applicationPath(id)}/naissance`;

/** `/creche/{id}/naissance`. */
export function CrecheBirthPage({ me, id }: { me: Me; id: string }) {
  const family = useCurrentFamily(me);
  const app = useLoad(family ? () => creche.read(family.family_id, id) : null, [family?.family_id, id]);
  const [firstName, setFirstName] = useState<string | null>(null);
  const [sex, setSex] = useState('');
  const [born, setBorn] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);
  const back = applicationPath(id);
  const crumbs = [FAMILY_CRUMBS[0] as { href: string; label: string }, { href: '/creche', label: 'Crèche' }, { href: back, label: 'Préinscription en crèche' }, { label: 'Déclarer la naissance' }];

  let body;
  if (!family) body = <NoFamily />;
  else if (app.error) body = <LoadFailure error={app.error} notFound="Cette préinscription est introuvable." back={{ href: '/creche', label: 'Retour à mes préinscriptions' }} />;
  else if (!app.data) body = <Loading text="Chargement de la préinscription…" />;
  else {
    const a = app.data;
    const open = !['accepted', 'declined', 'withdrawn', 'closed'].includes(a.status);
    const name = firstName ?? a.expected?.first_name ?? '';
    if (!a.expected || a.child_id || a.birth_request_id || !open) {
      body = (
        <>
          <div class="notice">
            <p>
              {a.birth_request_id
                ? 'La naissance a déjà été déclarée pour cette préinscription.'
                : !open
                  ? "Cette préinscription n'est plus en cours : la naissance ne peut plus y être déclarée."
                  : 'Cette préinscription est pour un enfant déjà né.'}
            </p>
          </div>
          <p>
            <a href={back}>Retour à la préinscription</a>
          </p>
        </>
      );
    } else {
      const submit = (ev: Event) => {
        ev.preventDefault();
        const local: FieldProblem[] = [];
        if (!name.trim()) local.push(required('first_name', 'Prénom'));
        if (!sex) local.push(required('sex', 'Sexe'));
        const day = parseTypedDay(born);
        if (!born.trim()) local.push(required('birth_date', 'Date de naissance'));
        else if (!day) local.push({ field: 'birth_date', code: 'invalid_birth_date', message: 'Indiquez la date de naissance au format JJ/MM/AAAA.' });
        if (local.length) {
          setError(formErrors(local));
          return;
        }
        void run(
          () => creche.birth(family.family_id, id, { first_name: name.trim(), sex: sex as 'M' | 'F', birth_date: day as string }),
          () => {
            setFlash('Naissance déclarée. La commune va valider la modification du dossier : votre enfant apparaîtra alors dans votre préinscription.');
            navigate(back);
          },
        );
      };
      body = (
        <>
          <p>Votre enfant est né : indiquez son prénom, son sexe et sa date de naissance. Il rejoindra votre dossier famille et cette préinscription dès que la commune aura validé la modification.</p>
          <RequiredNote />
          <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
            <ErrorSummary error={error} fields={FIELDS} />
            <InputField id="naissance-prenom" label="Prénom" required autoComplete="off" value={name} onValue={setFirstName} error={err('first_name')} maxLength={FIRST_NAME_MAX} />
            <Choices id="naissance-sexe" legend="Sexe" required type="radio" options={Object.entries(SEXES)} checked={(v) => sex === v} onToggle={(v) => setSex(v)} error={err('sex')} />
            <DateField id="naissance-date" label="Date de naissance" required value={born} onValue={setBorn} error={err('birth_date')} short />
            <div class="actions">
              <SubmitButton busy={busy}>Déclarer la naissance</SubmitButton>
              <a class="button button--secondary" href={back}>
                Annuler
              </a>
            </div>
          </form>
        </>
      );
    }
  }

  return (
    <Page title="Déclarer la naissance" error={!!error} breadcrumb={crumbs}>
      <FamilyChooser me={me} />
      {body}
    </Page>
  );
}
