/** `/agent/familles`: families by name, and the ways to add some. */
import { useEffect, useRef, useState } from 'preact/hooks';

import { LoadFailure, Loading } from '../ui/load';
import type { ApiError } from '../api';
import { location, navigate } from '../router';
import { type FamilyLine, type FamilySearch, moreFamilies, searchFamilies } from '../api/agent';
import { plural } from './format';
import { InputField } from '../ui/form';
import { AgentPage } from './ui';

export function FamiliesPage() {
  const q = location().query.get('q') ?? '';
  const [text, setText] = useState(q);
  const [items, setItems] = useState<FamilyLine[] | null>(null);
  const [search, setSearch] = useState<FamilySearch | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const firstNew = useRef<string | null>(null);

  useEffect(() => {
    searchFamilies(q).then(
      (r) => {
        setItems(r.items);
        setSearch(r.search);
      },
      (e: ApiError) => setError(e),
    );
  }, []);

  useEffect(() => {
    if (firstNew.current) {
      document.getElementById(`famille-${firstNew.current}`)?.focus();
      firstNew.current = null;
    }
  }, [items]);

  async function more() {
    if (!search || loadingMore) return;
    setLoadingMore(true);
    try {
      const r = await searchFamilies(q, search);
      const known = new Set((items ?? []).map((f) => f.id));
      const fresh = r.items.filter((f) => !known.has(f.id));
      firstNew.current = fresh[0]?.id ?? null;
      setItems([...(items ?? []), ...fresh]);
      setSearch(r.search);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setLoadingMore(false);
    }
  }

  function submit(ev: Event) {
    ev.preventDefault();
    const t = text.trim();
    navigate(t ? `/agent/familles?q=${encodeURIComponent(t)}` : '/agent/familles');
  }

  return (
    <AgentPage title="Familles" crumbs={[{ label: 'Familles' }]}>
      <div class="actions bo-top-actions">
        <a class="button" href="/agent/familles/nouvelle">
          Créer une famille
        </a>
        <a class="button button--secondary" href="/agent/familles/importer">
          Importer un fichier CSV
        </a>
      </div>

      <form class="panel bo-search" role="search" aria-label="Rechercher une famille" onSubmit={submit} noValidate>
        <InputField autoComplete="off"
          id="recherche"
          type="search"
          label="Nom de la famille"
          hint="Le début du nom suffit (exemple : Martin, ou Famille Martin)."
          value={text}
          onValue={setText}
        />
        <button type="submit" class="button">
          Rechercher
        </button>
      </form>

      <section class="spaced-small" aria-labelledby="resultats">
        <h2 id="resultats">{q ? `Familles dont le nom commence par « ${q} »` : 'Toutes les familles'}</h2>
        {error ? (
          <LoadFailure error={error} />
        ) : !items ? (
          <Loading text="Recherche des familles…" />
        ) : items.length === 0 ? (
          <p role="status">{q ? `Aucune famille ne commence par « ${q} ».` : "Aucune famille n'est encore enregistrée."}</p>
        ) : (
          <>
            <p role="status">
              {plural(items.length, 'famille affichée', 'familles affichées')}
              {search && moreFamilies(search) ? " ; d'autres suivent" : ''}.
            </p>
            <ul class="bo-list">
              {items.map((f) => (
                <li key={f.id}>
                  <a id={`famille-${f.id}`} href={`/agent/familles/${f.id}`}>
                    {f.label}
                  </a>
                </li>
              ))}
            </ul>
            {search && moreFamilies(search) && (
              <p>
                <button type="button" class="button button--secondary" onClick={more} aria-disabled={loadingMore ? 'true' : undefined}>
                  {loadingMore ? 'Chargement…' : 'Afficher plus de familles'}
                </button>
              </p>
            )}
          </>
        )}
      </section>
    </AgentPage>
  );
}
