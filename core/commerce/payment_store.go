package commerce

// PaymentStore keeps payments, refunds and the provider events already applied.
type PaymentStore interface{}
