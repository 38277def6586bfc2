/** The routes. Every path here is a deep link (e-mails point at some). */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { agentRoute } from './agent-gate';
import { AttendanceHomePage, SheetPage, WeekPage } from './attendance/pages';
import { ActivationPage, ResendActivationPage } from './accounts/activation';
import { LoginPage } from './accounts/login';
import { MySpacePage } from './accounts/my-space';
import { ForgotPasswordPage, NewPasswordPage } from './accounts/reset';
import { SignUpPage, SignUpSentPage } from './accounts/signup';
import { Layout } from './layout';
import { CrecheBirthPage } from './creche/birth';
import { CrecheDetailPage, CrecheFormPage, CrechePage } from './creche/pages';
import { DocumentsPage } from './documents/page';
import { ChildrenPage } from './family/children';
import { GuardiansPage } from './family/guardians';
import { FamilySpacePage, MyFamilyPage } from './family/space';
import { InvoiceDetailPage, InvoicesPage, OperationsPage, PaymentsPage } from './billing/pages';
import { PaymentOutcomePage } from './billing/payment';
import { ConditionsPage } from './pages/conditions';
import { HomePage } from './pages/home';
import { ContactPage, NotFoundPage } from './pages/info';
import { PlanningListPage } from './planning/list';
import { PlanningPage } from './planning/page';
import { PeriodRequestPage } from './planning/period';
import { RequestDetailPage } from './requests/detail';
import { RequestsPage } from './requests/list';
import { navigate, useLocation } from './router';
import { RequireLogin } from './require-login';
import { currentSession } from './session';
import { SubscriptionsPage } from './subscriptions/page';

/**
 * The login page for people not logged in: someone who arrives logged in
 * goes to their space. (Logging in on the page is followed by the form,
 * which goes where it was asked to.)
 */
function AnonymousOnly({ children }: { children: ComponentChildren }) {
  const [arrivedLoggedIn] = useState(() => currentSession().state === 'authenticated');
  useEffect(() => {
    if (arrivedLoggedIn) navigate('/mon-espace', { replace: true });
  }, [arrivedLoggedIn]);
  return arrivedLoggedIn ? null : <>{children}</>;
}

function route(path: string): ComponentChildren {
  switch (path) {
    case '/':
      return <HomePage />;
    case '/connexion':
      return (
        <AnonymousOnly>
          <LoginPage />
        </AnonymousOnly>
      );
    case '/inscription':
      return <SignUpPage />;
    case '/inscription/confirmation':
      return <SignUpSentPage />;
    case '/conditions':
      return <ConditionsPage />;
    case '/activation':
      return <ActivationPage />;
    case '/nouveau-lien-activation':
      return <ResendActivationPage />;
    case '/mot-de-passe-oublie':
      return <ForgotPasswordPage />;
    case '/nouveau-mot-de-passe':
      return <NewPasswordPage />;
    case '/nous-contacter':
      return <ContactPage />;
    case '/mon-espace':
      return <RequireLogin path={path} render={(me) => <MySpacePage me={me} />} />;
    case '/mon-espace/abonnements':
      return <RequireLogin path={path} render={(me) => <SubscriptionsPage me={me} />} />;
    case '/espace-famille':
      return <RequireLogin path={path} render={(me) => <FamilySpacePage me={me} />} />;
    case '/espace-famille/ma-famille':
      return <RequireLogin path={path} render={(me) => <MyFamilyPage me={me} />} />;
    case '/espace-famille/ma-famille/responsables':
      return <RequireLogin path={path} render={(me) => <GuardiansPage me={me} />} />;
    case '/espace-famille/ma-famille/enfants':
      return <RequireLogin path={path} render={(me) => <ChildrenPage me={me} />} />;
    case '/pieces-justificatives':
      return <RequireLogin path={path} render={(me) => <DocumentsPage me={me} />} />;
    case '/creche':
      return <RequireLogin path={path} render={(me) => <CrechePage me={me} />} />;
    case '/creche/preinscription':
      return <RequireLogin path={path} render={(me) => <CrecheFormPage me={me} />} />;
    case '/planning':
      return <RequireLogin path={path} render={(me) => <PlanningPage me={me} />} />;
    case '/planning/demande':
      return <RequireLogin path={path} render={(me) => <PeriodRequestPage me={me} />} />;
    case '/planning/liste':
      return <RequireLogin path={path} render={(me) => <PlanningListPage me={me} />} />;
    case '/mes-demandes':
      return <RequireLogin path={path} render={(me) => <RequestsPage me={me} />} />;
    case '/espace-facturation':
      return <RequireLogin path={path} render={(me) => <InvoicesPage me={me} />} />;
    case '/espace-facturation/operations':
      return <RequireLogin path={path} render={(me) => <OperationsPage me={me} />} />;
    case '/espace-facturation/reglements':
      return <RequireLogin path={path} render={(me) => <PaymentsPage me={me} />} />;
    case '/pointage':
      return <RequireLogin path={path} render={(me) => <AttendanceHomePage me={me} />} />;
    default:
      if (path === '/agent' || path.startsWith('/agent/')) return agentRoute(path);
      if (/^\/pointage\/[^/]+\/semaine$/.test(path)) {
        const id = decodeURIComponent(path.slice('/pointage/'.length, -'/semaine'.length));
        return <RequireLogin path={path} render={(me) => <WeekPage me={me} id={id} />} />;
      }
      if (/^\/pointage\/[^/]+$/.test(path)) {
        const id = decodeURIComponent(path.slice('/pointage/'.length));
        return <RequireLogin path={path} render={(me) => <SheetPage me={me} id={id} />} />;
      }
      if (/^\/espace-facturation\/paiement\/[^/]+$/.test(path)) {
        const id = decodeURIComponent(path.slice('/espace-facturation/paiement/'.length));
        return <RequireLogin path={path} render={(me) => <PaymentOutcomePage me={me} id={id} />} />;
      }
      if (/^\/espace-facturation\/factures\/[^/]+$/.test(path)) {
        const id = decodeURIComponent(path.slice('/espace-facturation/factures/'.length));
        return <RequireLogin path={path} render={(me) => <InvoiceDetailPage me={me} id={id} />} />;
      }
      if (/^\/creche\/[^/]+\/naissance$/.test(path)) {
        const id = decodeURIComponent(path.slice('/creche/'.length, -'/naissance'.length));
        return <RequireLogin path={path} render={(me) => <CrecheBirthPage me={me} id={id} />} />;
      }
      if (/^\/creche\/[^/]+$/.test(path)) {
        const id = decodeURIComponent(path.slice('/creche/'.length));
        return <RequireLogin path={path} render={(me) => <CrecheDetailPage me={me} id={id} />} />;
      }
      if (/^\/mes-demandes\/[^/]+$/.test(path)) {
        const id = decodeURIComponent(path.slice('/mes-demandes/'.length));
        return <RequireLogin path={path} render={(me) => <RequestDetailPage me={me} id={id} />} />;
      }
      return <NotFoundPage />;
  }
}

export function App() {
  const { path, query } = useLocation();
  return (
    <Layout>
      {/* A new page for each address: state and focus start afresh. */}
      <div key={`${path}?${query}`}>{route(path)}</div>
    </Layout>
  );
}
