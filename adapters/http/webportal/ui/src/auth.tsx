import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { getSession, onSession, type Kind, type Session } from "./api/session";

const Ctx = createContext<Session | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [s, setS] = useState<Session | null>(getSession());
  useEffect(() => onSession(setS), []);
  return <Ctx.Provider value={s}>{children}</Ctx.Provider>;
}

export function useSession(): Session | null {
  return useContext(Ctx);
}

// homeOf is where each kind of account lands after signing in.
export function homeOf(kind: Kind): string {
  switch (kind) {
    case "patient":
      return "/paciente";
    case "professional":
      return "/profissional";
    case "company_member":
      return "/empresa";
    case "admin":
      return "/admin";
  }
}
