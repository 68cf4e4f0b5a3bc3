import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { Schemas } from "../../api/client";

// The cart lives in memory (like the session): lines grouped by company,
// since the API takes one order per company (POST /v1/orders).
export interface CartLine {
  sku: string;
  name: string;
  companyId: string;
  companyName: string;
  unit: Schemas["Money"];
  quantity: number;
  requiresPrescription: boolean;
  pickup: boolean;
  delivery: boolean;
  planId?: string;
}

interface Cart {
  lines: CartLine[];
  add(l: CartLine): void;
  setQuantity(companyId: string, sku: string, q: number): void;
  remove(companyId: string, sku: string): void;
  clearCompany(companyId: string): void;
}

const Ctx = createContext<Cart | null>(null);

export function CartProvider({ children }: { children: ReactNode }) {
  const [lines, setLines] = useState<CartLine[]>([]);
  const add = useCallback((l: CartLine) => {
    setLines((ls) => {
      const i = ls.findIndex((x) => x.companyId === l.companyId && x.sku === l.sku);
      if (i < 0) return [...ls, l];
      const n = [...ls];
      n[i] = { ...n[i], quantity: n[i].quantity + l.quantity };
      return n;
    });
  }, []);
  const setQuantity = useCallback((companyId: string, sku: string, q: number) => {
    setLines((ls) => ls.map((x) => (x.companyId === companyId && x.sku === sku ? { ...x, quantity: Math.max(1, q) } : x)));
  }, []);
  const remove = useCallback((companyId: string, sku: string) => {
    setLines((ls) => ls.filter((x) => !(x.companyId === companyId && x.sku === sku)));
  }, []);
  const clearCompany = useCallback((companyId: string) => {
    setLines((ls) => ls.filter((x) => x.companyId !== companyId));
  }, []);
  const v = useMemo(() => ({ lines, add, setQuantity, remove, clearCompany }), [lines, add, setQuantity, remove, clearCompany]);
  return <Ctx.Provider value={v}>{children}</Ctx.Provider>;
}

export function useCart(): Cart {
  const c = useContext(Ctx);
  if (!c) throw new Error("useCart outside CartProvider");
  return c;
}
