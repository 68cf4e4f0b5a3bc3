import { lazy } from "react";
import { Route, Routes } from "react-router";
import { NotFound } from "../NotFound";
import { Home } from "./Home";

const Availability = lazy(() => import("./Availability"));
const Patients = lazy(() => import("./Patients"));
const Patient = lazy(() => import("./Patient"));
const Evaluation = lazy(() => import("./Evaluation"));
const Plan = lazy(() => import("./Plan"));
const Prescription = lazy(() => import("./Prescription"));
const ChatList = lazy(() => import("../shared/Chat").then((m) => ({ default: m.ChatList })));
const ChatRoom = lazy(() => import("../shared/Chat").then((m) => ({ default: m.ChatRoom })));

// The professional side's pages, under its prefix (App.tsx).
export default function SideRoutes() {
  return (
    <Routes>
      <Route index element={<Home />} />
      <Route path="disponibilidade" element={<Availability />} />
      <Route path="pacientes" element={<Patients />} />
      <Route path="pacientes/:id" element={<Patient />} />
      <Route path="pacientes/:id/avaliacao" element={<Evaluation />} />
      <Route path="pacientes/:id/plano" element={<Plan />} />
      <Route path="pacientes/:id/receita" element={<Prescription />} />
      <Route path="mensagens" element={<ChatList />} />
      <Route path="mensagens/:id" element={<ChatRoom />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
