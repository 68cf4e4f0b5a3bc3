import { Route, Routes } from "react-router";
import { NotFound } from "../NotFound";
import { Catalog } from "./Catalog";
import { CompanyProvider } from "./context";
import { Integrations } from "./Integrations";
import { Members } from "./Members";
import { Orders } from "./Orders";
import { Profile } from "./Profile";
import { Statement } from "./Statement";
import { ChatList, ChatRoom } from "../shared/Chat";

// The company side's pages, under its prefix (App.tsx).
export default function SideRoutes() {
  return (
    <CompanyProvider>
      <Routes>
        <Route index element={<Orders />} />
        <Route path="catalogo" element={<Catalog />} />
        <Route path="mensagens" element={<ChatList />} />
        <Route path="mensagens/:id" element={<ChatRoom />} />
        <Route path="integracoes" element={<Integrations />} />
        <Route path="membros" element={<Members />} />
        <Route path="perfil" element={<Profile />} />
        <Route path="extrato" element={<Statement />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </CompanyProvider>
  );
}
