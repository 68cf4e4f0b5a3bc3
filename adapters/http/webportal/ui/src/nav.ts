// The menu of each side (a link per page). Each side's pages live in
// pages/<side>/ and are loaded only when visited.
import type { Kind } from "./api/session";

export interface NavItem {
  to: string;
  label: string;
}

export const nav: Record<Kind, NavItem[]> = {
  patient: [
    { to: "/paciente", label: "Início" },
    // patient A
    { to: "/paciente/buscar", label: "Buscar" },
    { to: "/paciente/consultas", label: "Minhas consultas" },
    // patient B
    { to: "/paciente/historico", label: "Histórico" },
    { to: "/paciente/planos", label: "Planos" },
    { to: "/paciente/carrinho", label: "Carrinho" },
    { to: "/paciente/pedidos", label: "Pedidos" },
    { to: "/paciente/pagamentos", label: "Pagamentos" },
    { to: "/paciente/mensagens", label: "Mensagens" },
    { to: "/paciente/notificacoes", label: "Notificações" },
    { to: "/paciente/privacidade", label: "Privacidade" },
    // end patient B
  ],
  professional: [
    { to: "/profissional", label: "Agenda" },
    { to: "/profissional/disponibilidade", label: "Disponibilidade" },
    { to: "/profissional/pacientes", label: "Pacientes" },
    { to: "/profissional/mensagens", label: "Mensagens" },
  ],
  company_member: [
    { to: "/empresa", label: "Pedidos" },
    { to: "/empresa/catalogo", label: "Catálogo" },
    { to: "/empresa/mensagens", label: "Mensagens" },
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
