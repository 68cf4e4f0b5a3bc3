// pt-BR names of the API's enumerations on the company and admin sides.
export const companyType: Record<string, string> = {
  pharmacy: "Farmácia",
  hospital: "Hospital",
  market: "Mercado",
  sports_store: "Loja de artigos esportivos",
  gym: "Academia",
};

export const companyStatus: Record<string, string> = {
  pending_verification: "Aguardando verificação",
  verified: "Verificada",
  rejected: "Recusada",
};

export const orderStatus: Record<string, string> = {
  created: "Aguardando pagamento",
  paid: "Pago",
  accepted: "Aceito",
  preparing: "Em preparo",
  ready_for_pickup: "Pronto para retirada",
  out_for_delivery: "Saiu para entrega",
  delivered: "Entregue",
  cancelled: "Cancelado",
  refunded: "Reembolsado",
};

export const itemKind: Record<string, string> = {
  medication: "Medicamento",
  food: "Alimento",
  equipment: "Equipamento",
  gym_plan: "Plano de academia",
  exam: "Exame",
  service: "Serviço",
  product: "Produto",
};

export const scopeLabel: Record<string, string> = {
  "catalog:write": "Alterar o catálogo",
  "fhir:read": "Leitura FHIR (fhir:read)",
  "orders:read": "Ler pedidos",
  "orders:write": "Mover pedidos",
  "prescriptions:dispense": "Dispensar receitas",
};

export const eventLabel: Record<string, string> = {
  "order.created": "Pedido criado",
  "order.paid": "Pedido pago",
  "order.cancelled": "Pedido cancelado",
  "order.refunded": "Pedido reembolsado",
  "catalog.imported": "Catálogo importado",
  "prescription.dispensed": "Receita dispensada",
};

export const deliveryStatus: Record<string, string> = {
  pending: "Pendente",
  delivered: "Entregue",
  failed: "Falhou",
  dead: "Desistida",
};

export const roleLabel: Record<string, string> = { admin: "Administrador(a)", staff: "Equipe" };

export { UFS as ufs } from "../../lib/labels";

// reais parses an amount typed in reais ("12,90", "1.234,56") into cents.
export function reais(s: string): number | undefined {
  const t = s.replace(/R\$\s?/, "").trim();
  if (!t) return undefined;
  const n = Number(t.includes(",") ? t.replace(/\./g, "").replace(",", ".") : t);
  return Number.isFinite(n) ? Math.round(n * 100) : undefined;
}

// centsToReais writes cents for an input: 1290 → "12,90".
export function centsToReais(c: number): string {
  return (c / 100).toFixed(2).replace(".", ",");
}
