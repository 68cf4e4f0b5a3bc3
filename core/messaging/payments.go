package messaging

// Payment and refund templates. They name an order by its short reference
// and the company by its trade name, never by what was bought: an e-mail may
// be read by others, and a company learns nothing of the patient's health.
const (
	TemplatePaymentConfirmed = "payment_confirmed"
	TemplatePaymentFailed    = "payment_failed"
	TemplatePaymentExpired   = "payment_expired"
	TemplateOrderPaid        = "order_paid"
	TemplateOrderRefunded    = "order_refunded"
)

// PaymentConfirmed tells the patient the payment of order ref to company was received.
func PaymentConfirmed(ref string, centavos int64, currency, company string) Message {
	return Message{
		Template: TemplatePaymentConfirmed,
		Subject:  "Pagamento confirmado",
		Body: "Recebemos o pagamento de " + Money(centavos, currency) + " do pedido " + ref + sellerPhrase(company) +
			". Avisaremos você quando o pedido for aceito e a cada nova etapa.",
	}
}

// PaymentFailed tells the patient the payment of order ref was refused.
func PaymentFailed(ref string, centavos int64, currency string) Message {
	return Message{
		Template: TemplatePaymentFailed,
		Subject:  "Pagamento não aprovado",
		Body: "O pagamento de " + Money(centavos, currency) + " do pedido " + ref + " não foi aprovado. " +
			"Nenhum valor foi cobrado. Você pode tentar de novo pelo aplicativo, com Pix ou outro cartão, enquanto o pedido estiver aberto.",
	}
}

// PaymentExpired tells the patient the Pix code of order ref expired unpaid.
func PaymentExpired(ref string, centavos int64, currency string) Message {
	return Message{
		Template: TemplatePaymentExpired,
		Subject:  "Código Pix expirado",
		Body: "O código Pix de " + Money(centavos, currency) + " do pedido " + ref + " expirou sem pagamento. " +
			"Nenhum valor foi cobrado. Se o pedido ainda estiver aberto, gere um novo código pelo aplicativo.",
	}
}

// OrderPaid tells a company a new order ref was paid and awaits it.
func OrderPaid(ref string, centavos int64, currency string) Message {
	return Message{
		Template: TemplateOrderPaid,
		Subject:  "Novo pedido pago: " + ref,
		Body: "O pedido " + ref + " de " + Money(centavos, currency) + " foi pago e aguarda o seu aceite. " +
			"Veja os itens e aceite o pedido no portal da MultiSaúde ou pela sua integração.",
	}
}

// OrderRefunded tells the patient centavos of order ref were refunded.
func OrderRefunded(ref string, centavos int64, currency string, full bool) Message {
	first := "Reembolsamos " + Money(centavos, currency) + " do pedido " + ref + ". "
	if full {
		first = "Reembolsamos o valor total do pedido " + ref + ": " + Money(centavos, currency) + ". "
	}
	return Message{
		Template: TemplateOrderRefunded,
		Subject:  "Reembolso de " + Money(centavos, currency),
		Body:     first + "No Pix o valor volta à conta de origem em instantes; no cartão, aparece na fatura em até dois ciclos, conforme o emissor.",
	}
}

func sellerPhrase(company string) string {
	if company == "" {
		return ""
	}
	return " em " + company
}
