import { Badge, Card, DataList, Text } from "@chakra-ui/react";
import { api, call } from "../../api/client";
import { Loading } from "../../components/Loading";
import { Page } from "../../components/Page";
import { ProblemAlert } from "../../components/ProblemAlert";
import { dateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";
import { maskCNPJ } from "./cnpj";
import { useCompany } from "./context";
import { companyStatus, companyType } from "./labels";

export function Profile() {
  const { id } = useCompany();
  const { data: c, error, loading } = useLoad(() => call(api.GET("/v1/companies/{id}", { params: { path: { id } } })), [id]);
  return (
    <Page title="Perfil da empresa">
      <ProblemAlert error={error} />
      {loading && !c ? (
        <Loading />
      ) : (
        c && (
          <Card.Root>
            <Card.Body>
              <DataList.Root orientation="horizontal">
                {(
                  [
                    ["Nome fantasia", c.trade_name],
                    ["Razão social", c.legal_name],
                    ["CNPJ", maskCNPJ(c.cnpj)],
                    ["Tipo", companyType[c.type] ?? c.type],
                    [
                      "Situação",
                      <Badge key="s" colorPalette={c.status === "verified" ? "green" : c.status === "rejected" ? "red" : "yellow"}>
                        {companyStatus[c.status] ?? c.status}
                      </Badge>,
                    ],
                    ["Telefone", c.phone],
                    ["E-mail", c.email || "—"],
                    [
                      "Endereço",
                      `${c.address.street}, ${c.address.number}${c.address.complement ? ` (${c.address.complement})` : ""} · ${c.address.district} · ${c.address.city}/${c.address.uf} · CEP ${c.address.cep.replace(/^(\d{5})(\d{3})$/, "$1-$2")}`,
                    ],
                    ["Cadastrada em", dateTime(c.created_at)],
                  ] as const
                ).map(([k, v]) => (
                  <DataList.Item key={k}>
                    <DataList.ItemLabel>{k}</DataList.ItemLabel>
                    <DataList.ItemValue>{v}</DataList.ItemValue>
                  </DataList.Item>
                ))}
              </DataList.Root>
              {c.status === "rejected" && c.rejection_reason && <Text mt="4">Motivo da recusa: {c.rejection_reason}</Text>}
              {c.status === "pending_verification" && (
                <Text mt="4">A equipe multisaude está conferindo o cadastro; a empresa aparece para os pacientes depois de verificada.</Text>
              )}
            </Card.Body>
          </Card.Root>
        )
      )}
    </Page>
  );
}
