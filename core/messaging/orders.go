package messaging

import "strings"

// Template names of the messages about a patient's orders.
const (
	TemplateOrderAccepted       = "order_accepted"
	TemplateOrderReadyForPickup = "order_ready_for_pickup"
	TemplateOrderOutForDelivery = "order_out_for_delivery"
	TemplateOrderDelivered      = "order_delivered"
	TemplateOrderCancelled      = "order_cancelled"
)

// Order names an order in a message: the company's trade name, a short
// reference (the first characters of its ID) and its total.
type Order struct {
	Company  string
	Ref      string
	Total    int64 // centavos
	Currency string
}

func (o Order) company() string {
	if strings.TrimSpace(o.Company) == "" {
		return "nossa parceira"
	}
	return o.Company
}

func (o Order) ref() string {
	r := o.Ref
	if len(r) > 8 {
		r = r[:8]
	}
	return "Pedido " + r
}

const orderFooter = "\n\nAcompanhe o pedido em Minhas compras, no aplicativo."

// OrderAccepted tells the patient the company accepted a paid order.
func OrderAccepted(o Order) Message {
	return Message{
		Template: TemplateOrderAccepted,
		Subject:  o.ref() + " aceito",
		Body:     capitalize(o.company()) + " aceitou seu pedido de " + Money(o.Total, o.Currency) + " e vai começar a prepará-lo." + orderFooter,
	}
}

// OrderReadyForPickup tells the patient the order waits at the company.
func OrderReadyForPickup(o Order) Message {
	return Message{
		Template: TemplateOrderReadyForPickup,
		Subject:  o.ref() + " pronto para retirada",
		Body: "Seu pedido de " + Money(o.Total, o.Currency) + " está pronto para retirada em " + o.company() +
			". Leve um documento com foto e, se o pedido tiver receita, a receita original." + orderFooter,
	}
}

// OrderOutForDelivery tells the patient the order is on its way.
func OrderOutForDelivery(o Order) Message {
	return Message{
		Template: TemplateOrderOutForDelivery,
		Subject:  o.ref() + " saiu para entrega",
		Body:     "Seu pedido de " + Money(o.Total, o.Currency) + " em " + o.company() + " saiu para entrega. Tenha um documento com foto em mãos para recebê-lo." + orderFooter,
	}
}

// OrderDelivered tells the patient the order was handed over.
func OrderDelivered(o Order) Message {
	return Message{
		Template: TemplateOrderDelivered,
		Subject:  o.ref() + " entregue",
		Body:     "Seu pedido de " + Money(o.Total, o.Currency) + " em " + o.company() + " foi entregue. Obrigado por comprar pela MultiSaúde." + orderFooter,
	}
}

// OrderCancelled tells the patient the order was cancelled, and why; a paid
// order is refunded in full.
func OrderCancelled(o Order, reason string, wasPaid bool) Message {
	body := "Seu pedido de " + Money(o.Total, o.Currency) + " em " + o.company() + " foi cancelado"
	if r := strings.TrimSpace(reason); r != "" {
		body += ". Motivo: " + strings.TrimSuffix(r, ".")
	}
	body += "."
	if wasPaid {
		body += " O valor pago será devolvido integralmente pelo mesmo meio de pagamento."
	} else {
		body += " Nenhuma cobrança foi feita."
	}
	return Message{Template: TemplateOrderCancelled, Subject: o.ref() + " cancelado", Body: body + orderFooter}
}
