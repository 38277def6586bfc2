/**
 * The crèche statistics on `/agent/creches`: per month of a year, the
 * applications that became final in each final state (counters kept
 * without personal data, after the applications are deleted), and the open
 * applications by state today.
 */
import { useState } from 'preact/hooks';

import { agent } from '../api/agent';
import { SelectField } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { TableRegion } from './ui';
import './creche-stats.css';

const MONTHS = ['Janvier', 'Février', 'Mars', 'Avril', 'Mai', 'Juin', 'Juillet', 'Août', 'Septembre', 'Octobre', 'Novembre', 'Décembre'];
const FINAL = [
  ['accepted', 'Place acceptée'],
  ['declined', 'Place refusée'],
  ['withdrawn', 'Retirée'],
  ['closed', 'Close'],
] as const;
const OPEN = [
  ['submitted', 'Déposées'],
  ['incomplete', 'Incomplètes'],
  ['under_review', "En cours d'étude"],
  ['offered', 'Place proposée'],
  ['waiting', 'En attente de place'],
] as const;

const number = (n: number) => n.toLocaleString('fr-FR');

export function CrecheStatsSection() {
  // The portal's year (its clock, not the browser's) comes with the first answer.
  const [year, setYear] = useState<string | null>(null);
  const [thisYear, setThisYear] = useState<number | null>(null);
  const stats = useLoad(
    async () => {
      const got = await agent.crecheStats(year ? Number(year) : undefined);
      if (!year) setThisYear(got.year);
      return got;
    },
    [year],
    { keep: true },
  );
  const s = stats.data;
  const years = thisYear ? Array.from({ length: 5 }, (_, i) => String(thisYear - i)) : [];
  const total = (m: { accepted: number; declined: number; withdrawn: number; closed: number }) => m.accepted + m.declined + m.withdrawn + m.closed;

  return (
    <section class="creche-stats" aria-labelledby="creche-stats-titre">
      <h2 id="creche-stats-titre">Statistiques des préinscriptions</h2>
      <p>Les demandes terminées chaque mois, selon leur issue (des compteurs sans donnée personnelle, conservés après la suppression des demandes), et les demandes en cours aujourd'hui.</p>
      {years.length > 0 && <SelectField id="creche-stats-annee" label="Année" value={year ?? String(thisYear)} onValue={setYear} options={years.map((y) => [y, y] as [string, string])} />}
      {stats.error ? (
        <LoadFailure error={stats.error} />
      ) : !s ? (
        <Loading text="Chargement des statistiques…" />
      ) : (
        <>
          <TableRegion labelledBy="creche-stats-mois">
            <table class="bo-table">
              <caption id="creche-stats-mois">Demandes terminées en {s.year}, par mois et par issue</caption>
              <thead>
                <tr>
                  <th scope="col">Mois</th>
                  {FINAL.map(([k, label]) => (
                    <th scope="col" key={k} class="bo-num">
                      {label}
                    </th>
                  ))}
                  <th scope="col" class="bo-num">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.months.map((m, i) => (
                  <tr key={m.month}>
                    <th scope="row">{MONTHS[i] ?? m.month}</th>
                    {FINAL.map(([k]) => (
                      <td key={k} class="bo-num">
                        {number(m[k])}
                      </td>
                    ))}
                    <td class="bo-num">{number(total(m))}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Année</th>
                  {FINAL.map(([k]) => (
                    <td key={k} class="bo-num">
                      {number(s.months.reduce((n, m) => n + m[k], 0))}
                    </td>
                  ))}
                  <td class="bo-num">{number(s.months.reduce((n, m) => n + total(m), 0))}</td>
                </tr>
              </tfoot>
            </table>
          </TableRegion>
          <TableRegion labelledBy="creche-stats-en-cours">
            <table class="bo-table">
              <caption id="creche-stats-en-cours">Demandes en cours aujourd'hui, par état</caption>
              <thead>
                <tr>
                  {OPEN.map(([k, label]) => (
                    <th scope="col" key={k} class="bo-num">
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  {OPEN.map(([k]) => (
                    <td key={k} class="bo-num">
                      {number(s.open[k])}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </TableRegion>
          {!s.open_complete && <p>Seules les 5 000 premières demandes en cours sont comptées.</p>}
        </>
      )}
    </section>
  );
}
