package messaging

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func orderRendered() []struct {
	name string
	got  Message
	want Message
} {
	o := Order{Company: "Drogaria Central", Ref: "0193a1b2-c3d4-7e5f", Total: 123456, Currency: "BRL"}
	const foot = "\n\nAcompanhe o pedido em Minhas compras, no aplicativo."
	return []struct {
		name string
		got  Message
		want Message
	}{
		{"accepted", OrderAccepted(o), Message{TemplateOrderAccepted, "Pedido 0193a1b2 aceito",
			"Drogaria Central aceitou seu pedido de R$ 1.234,56 e vai começar a prepará-lo." + foot}},
		{"ready", OrderReadyForPickup(o), Message{TemplateOrderReadyForPickup, "Pedido 0193a1b2 pronto para retirada",
			"Seu pedido de R$ 1.234,56 está pronto para retirada em Drogaria Central. Leve um documento com foto e, se o pedido tiver receita, a receita original." + foot}},
		{"out for delivery", OrderOutForDelivery(o), Message{TemplateOrderOutForDelivery, "Pedido 0193a1b2 saiu para entrega",
			"Seu pedido de R$ 1.234,56 em Drogaria Central saiu para entrega. Tenha um documento com foto em mãos para recebê-lo." + foot}},
		{"delivered", OrderDelivered(o), Message{TemplateOrderDelivered, "Pedido 0193a1b2 entregue",
			"Seu pedido de R$ 1.234,56 em Drogaria Central foi entregue. Obrigado por comprar pela MultiSaúde." + foot}},
		{"cancelled paid", OrderCancelled(o, "produto em falta.", true), Message{TemplateOrderCancelled, "Pedido 0193a1b2 cancelado",
			"Seu pedido de R$ 1.234,56 em Drogaria Central foi cancelado. Motivo: produto em falta. O valor pago será devolvido integralmente pelo mesmo meio de pagamento." + foot}},
		{"cancelled unpaid", OrderCancelled(Order{Ref: "abc", Total: 990, Currency: "BRL"}, "pagamento não recebido no prazo", false),
			Message{TemplateOrderCancelled, "Pedido abc cancelado",
				"Seu pedido de R$ 9,90 em nossa parceira foi cancelado. Motivo: pagamento não recebido no prazo. Nenhuma cobrança foi feita." + foot}},
	}
}

func TestOrderTemplatesRenderExactly(t *testing.T) {
	for _, tc := range orderRendered() {
		if tc.got != tc.want {
			t.Errorf("%s: got\n%#v\nwant\n%#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestOrderTemplatesArePortuguese(t *testing.T) {
	words := map[string]bool{"order": true, "your": true, "was": true, "accepted": true, "ready": true, "delivered": true,
		"cancelled": true, "pickup": true, "delivery": true, "created": true, "paid": true, "the": true}
	for _, tc := range orderRendered() {
		for _, s := range []string{tc.got.Subject, tc.got.Body} {
			if m := rfc3339.FindString(s); m != "" {
				t.Errorf("%s: machine time %q", tc.name, m)
			}
			for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' }) {
				if words[strings.ToLower(w)] || strings.Contains(w, "_") {
					t.Errorf("%s: English word or identifier %q in %q", tc.name, w, s)
				}
			}
		}
	}
}

func TestEveryOrderTemplateIsRendered(t *testing.T) {
	src, err := os.ReadFile("orders.go")
	if err != nil {
		t.Fatal(err)
	}
	consts := regexp.MustCompile(`(?m)^\s+Template\w+\s+= "(\w+)"`).FindAllStringSubmatch(string(src), -1)
	if len(consts) != 5 {
		t.Fatalf("found %d order template constants", len(consts))
	}
	covered := map[string]bool{}
	for _, tc := range orderRendered() {
		covered[tc.got.Template] = true
	}
	for _, c := range consts {
		if !covered[c[1]] {
			t.Errorf("template %s has no case", c[1])
		}
	}
}
