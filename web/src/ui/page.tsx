/**
 * Every page: its `<title>`, its single `<h1>`, and the focus after a
 * client-side navigation (on the h1, or on a one-shot message if there is
 * one, so that it is heard).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { commune } from '../commune';
import { takeFocusRequest } from '../router';
import { takeFlash } from '../session';

export function pageTitle(title: string, error = false): string {
  return `${error ? 'Erreur : ' : ''}${title} – ${commune.portal_name} – ${commune.name}`;
}

interface Crumb {
  href?: string;
  label: string;
}

interface PageProps {
  /** The `<h1>`, and the start of the `<title>` unless `documentTitle` says otherwise. */
  title: string;
  /** A shorter start for the `<title>` ("Connexion" rather than the h1). */
  documentTitle?: string;
  /** The form on the page has errors: the `<title>` says so. */
  error?: boolean;
  /** Where the page sits, under "Accueil". */
  breadcrumb?: Crumb[];
  children?: ComponentChildren;
}

export function Page({ title, documentTitle, error = false, breadcrumb, children }: PageProps) {
  const h1 = useRef<HTMLHeadingElement>(null);
  const flashBox = useRef<HTMLDivElement>(null);
  const [flash] = useState(takeFlash);

  useEffect(() => {
    document.title = pageTitle(documentTitle ?? title, error);
  }, [title, documentTitle, error]);

  useEffect(() => {
    if (!takeFocusRequest()) return;
    (flashBox.current ?? h1.current)?.focus();
  }, []);

  return (
    <>
      {breadcrumb && (
        <nav class="breadcrumb" aria-label="Fil d'Ariane">
          <ol>
            <li>
              <a href="/">Accueil</a>
            </li>
            {breadcrumb.map((c) => (
              <li key={c.label}>{c.href ? <a href={c.href}>{c.label}</a> : <span aria-current="page">{c.label}</span>}</li>
            ))}
          </ol>
        </nav>
      )}
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {flash && (
        <div ref={flashBox} class="notice notice--success" role="status" tabIndex={-1}>
          <p>{flash}</p>
        </div>
      )}
      {children}
    </>
  );
}
