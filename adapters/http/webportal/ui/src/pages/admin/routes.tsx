import { Route, Routes } from "react-router";
import { NotFound } from "../NotFound";
import { Erasures } from "./Erasures";
import { Incidents } from "./Incidents";
import { Verifications } from "./Verifications";

// The admin side's pages, under its prefix (App.tsx).
export default function SideRoutes() {
  return (
    <Routes>
      <Route index element={<Verifications />} />
      <Route path="incidentes" element={<Incidents />} />
      <Route path="apagamentos" element={<Erasures />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
