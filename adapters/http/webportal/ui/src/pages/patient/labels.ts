// pt-BR names of the API's codes shown on the patient's pages.
export const orderStatus: Record<string, string> = {
  created: "Aguardando pagamento",
  paid: "Pago",
  accepted: "Aceito pela loja",
  preparing: "Em preparação",
  ready_for_pickup: "Pronto para retirada",
  out_for_delivery: "Saiu para entrega",
  delivered: "Entregue",
  cancelled: "Cancelado",
  refunded: "Reembolsado",
};

export const paymentStatus: Record<string, string> = {
  pending: "Aguardando pagamento",
  succeeded: "Pago",
  failed: "Recusado",
  expired: "Expirado",
  cancelled: "Cancelado",
};

export const planStatus: Record<string, string> = {
  draft: "Rascunho",
  active: "Ativo",
  completed: "Concluído",
  cancelled: "Cancelado",
};

export const itemKind: Record<string, string> = {
  medication: "Medicamento",
  diet: "Dieta",
  exercise: "Exercício",
  product: "Produto",
  exam: "Exame",
  therapy: "Terapia",
  food: "Alimento",
  equipment: "Equipamento",
  gym_plan: "Plano de academia",
  service: "Serviço",
};

export const historyKind: Record<string, string> = {
  appointment: "Consulta",
  evaluation: "Avaliação",
  treatment_plan: "Plano de tratamento",
  prescription: "Receita",
  document: "Documento",
};

export const purposeName: Record<string, string> = {
  care: "Atendimento de saúde",
  telemedicine: "Telemedicina",
  partner_sharing: "Compartilhamento com parceiros",
  research: "Pesquisa",
  marketing: "Comunicações de marketing",
};

export const actorKind: Record<string, string> = {
  patient: "Você",
  professional: "Profissional",
  company_member: "Empresa parceira",
  admin: "Administração",
  api_key: "Integração",
  system: "Sistema",
};

export const byWhom: Record<string, string> = {
  patient: "por você",
  company_member: "pela loja",
  api_key: "pela loja (integração)",
  admin: "pela administração",
};

export function label(m: Record<string, string>, k: string | undefined | null): string {
  if (!k) return "—";
  return m[k] ?? k;
}

export const accessBasis: Record<string, string> = {
  self: "Acesso próprio",
  share: "Compartilhamento",
  care: "Atendimento",
  emergency: "Emergência",
  admin: "Administração",
};

// day shows a calendar date ("2027-03-10", no time of day) as "10/03/2027"
// without moving it through a time zone; a full timestamp goes through date().
export function day(s: string, fallback: (iso: string) => string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : fallback(s);
}

// entryStatus names the status a history entry carries (plans, prescriptions,
// appointments, evaluations).
export const entryStatus: Record<string, string> = {
  ...planStatus,
  issued: "Emitida",
  dispensed: "Dispensada",
  confirmed: "Confirmada",
  no_show: "Não compareceu",
  signed: "Assinada",
};

export { modeLabel, professionLabel, UFS, type UF } from "../../lib/labels";

export const statusLabel: Record<string, string> = {
  confirmed: "Confirmada",
  cancelled: "Cancelada",
  completed: "Realizada",
  no_show: "Não compareceu",
};

