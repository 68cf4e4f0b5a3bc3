package messaging

import (
	"strings"
	"testing"
)

func TestPaymentTemplates(t *testing.T) {
	for _, tc := range []struct {
		got           Message
		subject, body string
	}{
		{PaymentConfirmed("AB12CD34", 12345, "BRL", "Farmácia Boa Saúde"), "Pagamento confirmado",
			"Recebemos o pagamento de R$ 123,45 do pedido AB12CD34 em Farmácia Boa Saúde. Avisaremos você quando o pedido for aceito e a cada nova etapa."},
		{OrderPaid("AB12CD34", 123456, "BRL"), "Novo pedido pago: AB12CD34",
			"O pedido AB12CD34 de R$ 1.234,56 foi pago e aguarda o seu aceite. Veja os itens e aceite o pedido no portal da MultiSaúde ou pela sua integração."},
		{OrderRefunded("AB12CD34", 5000, "BRL", true), "Reembolso de R$ 50,00",
			"Reembolsamos o valor total do pedido AB12CD34: R$ 50,00. No Pix o valor volta à conta de origem em instantes; no cartão, aparece na fatura em até dois ciclos, conforme o emissor."},
		{OrderRefunded("AB12CD34", 1250, "BRL", false), "Reembolso de R$ 12,50",
			"Reembolsamos R$ 12,50 do pedido AB12CD34. No Pix o valor volta à conta de origem em instantes; no cartão, aparece na fatura em até dois ciclos, conforme o emissor."},
		{PaymentFailed("AB12CD34", 100, "BRL"), "Pagamento não aprovado", ""},
		{PaymentExpired("AB12CD34", 100, "BRL"), "Código Pix expirado", ""},
	} {
		if tc.got.Subject != tc.subject || tc.body != "" && tc.got.Body != tc.body {
			t.Errorf("got %q / %q\nwant %q / %q", tc.got.Subject, tc.got.Body, tc.subject, tc.body)
		}
		if !strings.Contains(tc.got.Body, "AB12CD34") || tc.got.Template == "" {
			t.Errorf("%s: names no order or no template", tc.got.Subject)
		}
	}
}
