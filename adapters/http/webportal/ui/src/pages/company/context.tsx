import { createContext, useContext, type ReactNode } from "react";
import { api, call, type Schemas } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useLoad } from "../../lib/useLoad";

export interface CompanyCtx {
  me: Schemas["MeResponse"];
  id: string;
  company: Schemas["CompanyResponse"] | null;
  isAdmin: boolean;
  reload: () => Promise<void>;
}

const Ctx = createContext<CompanyCtx | null>(null);

// CompanyProvider reads the member's company (GET /v1/me gives company_id,
// the company and the member's roles) once for every page of the side.
export function CompanyProvider({ children }: { children: ReactNode }) {
  const { data, error, loading, reload } = useLoad(() => call(api.GET("/v1/me")));
  if (error)
    return (
      <Page title="Empresa">
        <ProblemAlert error={error} />
      </Page>
    );
  if (loading && !data) return <Loading />;
  if (!data?.company_id)
    return (
      <Page title="Empresa">
        <ProblemAlert error={new Error("Esta conta não está ligada a uma empresa.")} />
      </Page>
    );
  const v: CompanyCtx = {
    me: data,
    id: data.company_id,
    company: data.company ?? null,
    isAdmin: data.roles.includes("admin") || data.roles.includes("company_admin"),
    reload,
  };
  return <Ctx.Provider value={v}>{children}</Ctx.Provider>;
}

export function useCompany(): CompanyCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useCompany outside CompanyProvider");
  return c;
}
