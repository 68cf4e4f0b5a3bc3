import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loading";
import { homeOf, useSession } from "./auth";
import type { Kind } from "./api/session";
import { Login } from "./pages/Login";
import { Welcome } from "./pages/Welcome";
import { NotFound } from "./pages/NotFound";

const PatientRoutes = lazy(() => import("./pages/patient/routes"));
const PatientSignUp = lazy(() => import("./pages/patient/SignUp"));
const ProfessionalSignUp = lazy(() => import("./pages/professional/SignUp"));
const CompanySignUp = lazy(() => import("./pages/company/SignUp"));
const ProfessionalRoutes = lazy(() => import("./pages/professional/routes"));
const CompanyRoutes = lazy(() => import("./pages/company/routes"));
const AdminRoutes = lazy(() => import("./pages/admin/routes"));
const Verify = lazy(() => import("./pages/public/Verify"));

// Only is a side's gate: signed out goes to /entrar (and back after), the
// wrong kind of account goes to its own home.
function Only({ kind, children }: { kind: Kind; children: ReactNode }) {
  const s = useSession();
  const loc = useLocation();
  if (!s) return <Navigate to={`/entrar?voltar=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (s.kind !== kind) return <Navigate to={homeOf(s.kind)} replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Welcome />} />
          <Route path="/entrar" element={<Login />} />
          <Route path="/cadastro" element={<PatientSignUp />} />
          <Route path="/cadastro/profissional" element={<ProfessionalSignUp />} />
          <Route path="/cadastro/empresa" element={<CompanySignUp />} />
          <Route path="/verificar/:code" element={<Verify />} />
          <Route path="/paciente/*" element={<Only kind="patient"><PatientRoutes /></Only>} />
          <Route path="/profissional/*" element={<Only kind="professional"><ProfessionalRoutes /></Only>} />
          <Route path="/empresa/*" element={<Only kind="company_member"><CompanyRoutes /></Only>} />
          <Route path="/admin/*" element={<Only kind="admin"><AdminRoutes /></Only>} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
