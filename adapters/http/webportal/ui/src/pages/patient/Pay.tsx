import { Alert, Button, Card, Code, Field, Heading, HStack, Stack, Tabs, Text } from "@chakra-ui/react";
import { useEffect, useState } from "react";
import { api, call, type Schemas } from "../../api/client";
import { ProblemAlert } from "../../components/ProblemAlert";
import { TextField } from "../../components/TextField";
import { dateTime, price } from "../../lib/format";
import { label, paymentStatus } from "./labels";

type Payment = Schemas["PaymentResponse"];

function CopyCode({ code }: { code: string }) {
  const [msg, setMsg] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setMsg("Código copiado.");
    } catch {
      setMsg("Não foi possível copiar; selecione o código e copie manualmente.");
    }
  };
  return (
    <Stack gap="2">
      <Field.Root>
        <Field.Label>Pix copia e cola</Field.Label>
        <Code as="output" p="3" wordBreak="break-all" whiteSpace="pre-wrap" display="block" w="full" data-testid="pix-code">
          {code}
        </Code>
      </Field.Root>
      <HStack>
        <Button size="sm" variant="outline" onClick={copy}>
          Copiar código Pix
        </Button>
        <Text role="status" fontSize="sm">
          {msg}
        </Text>
      </HStack>
    </Stack>
  );
}

// PayOrder pays an order still waiting for payment, with Pix (the copy-paste
// code) or a card, and then polls the order until the payment settles.
export function PayOrder({ order, onPaid }: { order: Schemas["OrderResponse"]; onPaid: () => void }) {
  const [payment, setPayment] = useState<Payment>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [card, setCard] = useState("");
  const [key, setKey] = useState(() => crypto.randomUUID());
  const pay = async (method: "pix" | "card") => {
    setBusy(true);
    setError(undefined);
    try {
      const p = await call(
        api.POST("/v1/orders/{id}/payments", {
          params: { path: { id: order.id }, header: { "Idempotency-Key": `${key}-${method}` } },
          body: method === "card" ? { method, card_token: card.trim() } : { method },
        }),
      );
      setPayment(p);
      if (p.status === "failed") setKey(crypto.randomUUID()); // a new attempt gets a new key
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  // poll the order while a charge is pending
  useEffect(() => {
    if (!payment || payment.status !== "pending") return;
    const t = setInterval(async () => {
      try {
        const o = await call(api.GET("/v1/orders/{id}", { params: { path: { id: order.id } } }));
        if (o.status !== "created") {
          clearInterval(t);
          onPaid();
        }
      } catch (e) {
        setError(e);
      }
    }, 2000);
    return () => clearInterval(t);
  }, [payment, order.id, onPaid]);
  useEffect(() => {
    if (payment?.status === "succeeded") onPaid();
  }, [payment, onPaid]);
  return (
    <Card.Root>
      <Card.Body>
        <Stack gap="3">
          <Heading as="h2" size="md">
            Pagamento
          </Heading>
          <Text>
            Total a pagar: <strong>{price(order.total)}</strong>. Pague até {dateTime(order.pay_by)} para manter a reserva.
          </Text>
          <Tabs.Root defaultValue="pix">
            <Tabs.List>
              <Tabs.Trigger value="pix">Pix</Tabs.Trigger>
              <Tabs.Trigger value="card">Cartão</Tabs.Trigger>
            </Tabs.List>
            <Tabs.Content value="pix">
              <Stack gap="3">
                {payment?.method === "pix" && payment.pix_copy_paste ? (
                  <>
                    <CopyCode code={payment.pix_copy_paste} />
                    {payment.expires_at && <Text fontSize="sm">O código vale até {dateTime(payment.expires_at)}.</Text>}
                  </>
                ) : (
                  <Button alignSelf="start" colorPalette="teal" onClick={() => void pay("pix")} loading={busy}>
                    Gerar código Pix
                  </Button>
                )}
              </Stack>
            </Tabs.Content>
            <Tabs.Content value="card">
              <Stack gap="3" maxW="md">
                <TextField
                  label="Token do cartão"
                  name="card_token"
                  error={error}
                  value={card}
                  onChange={(e) => setCard(e.target.value)}
                  help="O cartão é registrado pelo provedor de pagamento, que devolve este token; o número do cartão nunca passa pelo multisaude."
                />
                <Button alignSelf="start" colorPalette="teal" onClick={() => void pay("card")} loading={busy} disabled={!card.trim()}>
                  Pagar com cartão
                </Button>
              </Stack>
            </Tabs.Content>
          </Tabs.Root>
          {payment && (
            <Alert.Root status={payment.status === "failed" ? "error" : "info"} role="status">
              <Alert.Indicator />
              <Alert.Title>
                {payment.status === "pending"
                  ? "Aguardando a confirmação do pagamento…"
                  : `Pagamento: ${label(paymentStatus, payment.status)}`}
              </Alert.Title>
            </Alert.Root>
          )}
          <ProblemAlert error={error} />
        </Stack>
      </Card.Body>
    </Card.Root>
  );
}
