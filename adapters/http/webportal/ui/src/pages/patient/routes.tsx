import { lazy } from "react";
import { Route, Routes } from "react-router";
import { NotFound } from "../NotFound";
import { Home } from "./Home";

// patient A
const Search = lazy(() => import("./Search"));
const Book = lazy(() => import("./Book"));
const Appointments = lazy(() => import("./Appointments"));

// The patient side's pages, under its prefix (App.tsx).
export default function SideRoutes() {
  return (
    <Routes>
      <Route index element={<Home />} />
      {/* patient A */}
      <Route path="buscar" element={<Search />} />
      <Route path="agendar/:professionalId" element={<Book />} />
      <Route path="agendar-exame/:examId" element={<Book />} />
      <Route path="consultas" element={<Appointments />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
