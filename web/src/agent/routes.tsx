/**
 * The back-office pages (role `agent`), under /agent: loaded on demand by
 * ../agent-gate, which has already checked the address and the role.
 */
import './agent.css';

import type { ComponentChildren } from 'preact';

import type { Me } from '../api';
import { agentAddress } from '../agent-address';
import { NotFoundPage } from '../pages/info';
import { ActivitiesPage, NewActivityPage } from './activities';
import { ActivityPage } from './activity';
import { BillingImportPage } from './billing-import';
import { FamiliesPage } from './families';
import { FamilyPage } from './family';
import { CommissionPage, CommissionsPage, NewCommissionPage } from './commission';
import { CrecheApplicationPage, CrecheApplicationsPage, CrechesPage } from './creche';
import { DigestPreviewPage, OutboxPage } from './digest';
import { DocumentTypesPage } from './document-types';
import { AgentHomePage } from './home';
import { RegiesPage } from './billing';
import { ImportPage } from './import';
import { InvoicingRunPage } from './invoicing-run';
import { NewFamilyPage } from './new-family';
import { OnlinePaymentsPage } from './online-payments';
import { QueuePage } from './queue';
import { RequestPage } from './request';
import { TariffPage } from './tariff';

/** The page at a back-office address, for an agent (../agent-gate checked both). */
export function agentPage(path: string, me: Me): ComponentChildren {
  const render = page(path);
  return render ? render(me) : <NotFoundPage />;
}

function page(path: string): ((me: Me) => ComponentChildren) | null {
  const where = agentAddress(path);
  if (!where) return null;
  const { section, id } = where;
  switch (section) {
    case undefined:
      return (me) => <AgentHomePage me={me} />;
    case 'demandes':
      return id ? () => <RequestPage id={id} /> : () => <QueuePage />;
    case 'familles':
      if (id === 'nouvelle') return () => <NewFamilyPage />;
      if (id === 'importer') return () => <ImportPage />;
      return id ? () => <FamilyPage id={id} /> : () => <FamiliesPage />;
    case 'activites':
      if (id === 'nouvelle') return () => <NewActivityPage />;
      return id ? () => <ActivityPage id={id} /> : () => <ActivitiesPage />;
    case 'activite-facturation':
      return id ? () => <TariffPage id={id} /> : null;
    case 'accuse-de-traitement':
      return id ? null : () => <DigestPreviewPage />;
    case 'regies':
      return id ? null : () => <RegiesPage />;
    case 'facturation':
      return id ? null : () => <InvoicingRunPage />;
    case 'import-factures':
      return id ? null : () => <BillingImportPage />;
    case 'paiements-en-ligne':
      return id ? null : () => <OnlinePaymentsPage />;
    case 'pieces-justificatives':
      return id ? null : () => <DocumentTypesPage />;
    case 'creche':
      if (id === 'commission') return () => <NewCommissionPage />;
      if (id === 'commissions') return () => <CommissionsPage />;
      return id ? () => <CrecheApplicationPage id={id} /> : () => <CrecheApplicationsPage />;
    case 'creche-commissions':
      return id ? () => <CommissionPage id={id} /> : null;
    case 'creches':
      return id ? null : () => <CrechesPage />;
    case 'boite-envoi':
      return id ? null : () => <OutboxPage />;
    default:
      return null;
  }
}
