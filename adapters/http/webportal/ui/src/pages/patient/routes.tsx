import { lazy } from "react";
import { Route, Routes } from "react-router";
import { NotFound } from "../NotFound";
// patient B
import { Home } from "./Home";
import { History } from "./History";
import { PlanDetail, Plans } from "./Plans";
import { Cart } from "./Cart";
import { CartProvider } from "./CartContext";
import { OrderDetail, Orders } from "./Orders";
import { Payments } from "./Payments";
import { Privacy } from "./Privacy";
import { Notifications } from "./Notifications";
import { ChatList, ChatRoom } from "../shared/Chat";

// patient A
const Search = lazy(() => import("./Search"));
const Book = lazy(() => import("./Book"));
const Appointments = lazy(() => import("./Appointments"));

// The patient side's pages, under its prefix (App.tsx).
export default function SideRoutes() {
  return (
    <CartProvider>
      <Routes>
        {/* patient A */}
        <Route path="buscar" element={<Search />} />
        <Route path="agendar/:professionalId" element={<Book />} />
        <Route path="agendar-exame/:examId" element={<Book />} />
        <Route path="consultas" element={<Appointments />} />
        {/* patient B */}
        <Route index element={<Home />} />
        <Route path="historico" element={<History />} />
        <Route path="planos" element={<Plans />} />
        <Route path="planos/:id" element={<PlanDetail />} />
        <Route path="carrinho" element={<Cart />} />
        <Route path="pedidos" element={<Orders />} />
        <Route path="pedidos/:id" element={<OrderDetail />} />
        <Route path="pagamentos" element={<Payments />} />
        <Route path="privacidade" element={<Privacy />} />
        <Route path="notificacoes" element={<Notifications />} />
        <Route path="mensagens" element={<ChatList />} />
        <Route path="mensagens/:id" element={<ChatRoom />} />
        {/* end patient B */}
        <Route path="*" element={<NotFound />} />
      </Routes>
    </CartProvider>
  );
}
