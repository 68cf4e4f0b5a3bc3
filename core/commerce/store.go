package commerce

// Store is commerce's persistence: one adapter (commercesql) implements every
// part; each part is declared beside the use cases that need it.
type Store interface {
	CatalogStore
	OrderStore
	PaymentStore
	WebhookStore
}
