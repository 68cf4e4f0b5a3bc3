import { Route, Routes } from "react-router";
import { NotFound } from "../NotFound";
import { Home } from "./Home";

// The company side's pages, under its prefix (App.tsx).
export default function SideRoutes() {
  return (
    <Routes>
      <Route index element={<Home />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
