// The menu of each side (a link per page). Each side's pages live in
// pages/<side>/ and are loaded only when visited.
import type { Kind } from "./api/session";

export interface NavItem {
  to: string;
  label: string;
}

export const nav: Record<Kind, NavItem[]> = {
  patient: [{ to: "/paciente", label: "Início" }],
  professional: [{ to: "/profissional", label: "Início" }],
  company_member: [
    { to: "/empresa", label: "Pedidos" },
    { to: "/empresa/catalogo", label: "Catálogo" },
    { to: "/empresa/integracoes", label: "Integrações" },
    { to: "/empresa/membros", label: "Membros" },
    { to: "/empresa/extrato", label: "Extrato" },
    { to: "/empresa/perfil", label: "Perfil" },
  ],
  admin: [
    { to: "/admin", label: "Verificações" },
    { to: "/admin/incidentes", label: "Incidentes" },
    { to: "/admin/apagamentos", label: "Pedidos de apagamento" },
  ],
};
